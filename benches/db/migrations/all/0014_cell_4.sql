CREATE TABLE cell_table_4 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_4_uuid ON cell_table_4 (uuid);
