CREATE TABLE api_table_6 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_6_name ON api_table_6 (name);
