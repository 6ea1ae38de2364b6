CREATE TABLE made_for (id BIGSERIAL PRIMARY KEY, backend TEXT NOT NULL);
INSERT INTO made_for (backend) VALUES ('postgres');
