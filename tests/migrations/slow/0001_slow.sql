-- A template that takes a second to build, so two processes starting together overlap.
CREATE TABLE slow_marker (id INTEGER PRIMARY KEY);
SELECT pg_sleep(1);
