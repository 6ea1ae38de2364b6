CREATE TABLE api_table_3 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_3_name ON api_table_3 (name);
