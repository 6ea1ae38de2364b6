CREATE TABLE api_table_5 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_5_name ON api_table_5 (name);
