CREATE TABLE cell_table_9 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_9_uuid ON cell_table_9 (uuid);
