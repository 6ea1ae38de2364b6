CREATE TABLE request_specs (instance_uuid TEXT PRIMARY KEY, flavor TEXT NOT NULL);
