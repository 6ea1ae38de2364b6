CREATE TABLE host_mappings (host TEXT PRIMARY KEY, cell TEXT NOT NULL);
CREATE TABLE instances (uuid TEXT PRIMARY KEY, host TEXT NOT NULL, cell TEXT NOT NULL, flavor TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE request_specs (instance_uuid TEXT PRIMARY KEY, flavor TEXT NOT NULL);
