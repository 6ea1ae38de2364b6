INSERT INTO users (id, name) VALUES (3, 'carol');
