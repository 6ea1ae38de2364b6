CREATE TABLE api_table_8 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_8_name ON api_table_8 (name);
