CREATE TABLE api_table_2 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX api_table_2_name ON api_table_2 (name);
