CREATE TABLE cell_table_3 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_3_uuid ON cell_table_3 (uuid);
