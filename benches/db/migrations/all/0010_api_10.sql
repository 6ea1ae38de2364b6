CREATE TABLE api_table_10 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_10_name ON api_table_10 (name);
