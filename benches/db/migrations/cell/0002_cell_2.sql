CREATE TABLE cell_table_2 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_2_uuid ON cell_table_2 (uuid);
