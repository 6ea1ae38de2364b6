CREATE TABLE cell_table_10 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_10_uuid ON cell_table_10 (uuid);
