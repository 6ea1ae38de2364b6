CREATE TABLE api_table_9 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_9_name ON api_table_9 (name);
