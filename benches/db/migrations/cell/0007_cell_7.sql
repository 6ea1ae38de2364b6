CREATE TABLE cell_table_7 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_7_uuid ON cell_table_7 (uuid);
