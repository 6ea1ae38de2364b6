CREATE TABLE cell_table_6 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_6_uuid ON cell_table_6 (uuid);
