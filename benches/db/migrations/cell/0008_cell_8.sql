CREATE TABLE cell_table_8 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_8_uuid ON cell_table_8 (uuid);
