-- A schema with what a passing test can change: data in two schemas, sequences set by a
-- migration, an identity and a generated column, triggers that write or refuse on DELETE,
-- a view, a materialized view and a stale one, an enum, functions.
CREATE SCHEMA billing;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, mood mood NOT NULL DEFAULT 'happy');
CREATE TABLE billing.invoices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    amount NUMERIC NOT NULL,
    doubled NUMERIC GENERATED ALWAYS AS (amount * 2) STORED
);
CREATE TABLE billing.ledger (id BIGSERIAL PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, what TEXT NOT NULL);
CREATE FUNCTION audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit (what) VALUES ('deleted ' || OLD.id); RETURN OLD; END $$;
CREATE TRIGGER users_audit AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION audit_delete();
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
CREATE TRIGGER ledger_append_only BEFORE DELETE OR UPDATE ON billing.ledger FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE MATERIALIZED VIEW billing.totals AS SELECT user_id, sum(amount) AS total FROM billing.invoices GROUP BY user_id;
CREATE VIEW user_names AS SELECT name FROM users;
-- Stale in the template: made before the invoices below, never refreshed (count 0 of 2).
CREATE MATERIALIZED VIEW billing.invoice_count AS SELECT count(*) AS n FROM billing.invoices;
SELECT setval('billing.ledger_id_seq', 100000);
