CREATE TABLE api_table_4 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_4_name ON api_table_4 (name);
