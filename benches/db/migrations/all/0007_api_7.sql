CREATE TABLE api_table_7 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_7_name ON api_table_7 (name);
