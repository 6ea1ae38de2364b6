CREATE TABLE cell_table_1 (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, host TEXT, state TEXT);
CREATE INDEX cell_table_1_uuid ON cell_table_1 (uuid);
