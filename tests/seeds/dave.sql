INSERT INTO users (id, name) VALUES (4, 'dave');
