CREATE TABLE api_table_1 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_1_name ON api_table_1 (name);
