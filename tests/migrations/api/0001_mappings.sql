CREATE TABLE host_mappings (host TEXT PRIMARY KEY, cell TEXT NOT NULL);
