CREATE TABLE cell_table_5 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_5_uuid ON cell_table_5 (uuid);
