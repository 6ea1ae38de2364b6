//! Putting a passed test's database back into its template's exact state so the next test
//! can take it: a few ms on a connection that is already open, against ~60 ms for
//! `DROP DATABASE` and `CREATE DATABASE .. TEMPLATE`.
//!
//! Only what is provably the template is reused. When the template is built, three facts
//! are recorded on it ([`Facts`]): a fingerprint of its catalog (every schema, table, column,
//! constraint, index, trigger, function, view, type, enum label, sequence definition,
//! extension, policy, comment and grant of the user's schemas), the rows of every non-empty
//! table (seeds, and sqlx's own migration records) and every sequence's value. The reset
//! compares the fingerprint first: any DDL the test made — a dropped or added table or
//! column, an enum label, a function — means the database is dropped and the next test gets
//! a fresh clone. Otherwise it deletes every row of every user table, in every schema, with
//! the user's triggers disabled (so an audit or append-only trigger neither writes nor
//! refuses), inserts the recorded rows back, sets every sequence to its recorded value and
//! refreshes materialized views.

use super::names::{literal, DESCRIPTION_TAG, FIELD, FREE_MARK, ITEM};

/// The SQLSTATE the reset raises when the test changed the schema: the database is dropped
/// instead of reused, which is no failure of the test.
pub(super) const SCHEMA_CHANGED: &str = "TRG01";

/// The schemas that hold the user's objects: all but the system's.
const USER_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// One text for the whole catalog of the user's schemas; equal before and after a test
/// exactly when the test made no DDL (data is compared separately, by replacing it).
pub(super) fn fingerprint_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(build_fingerprint_sql)
}

fn build_fingerprint_sql() -> String {
    // Raw catalog columns and stored node trees, not `pg_get_*def()`: the text is only ever
    // compared with a clone's, whose OIDs are the template's, and deparsing costs ~4x more.
    let s = USER_SCHEMAS;
    format!(
        "SELECT md5(coalesce(string_agg(fact, E'\\n' ORDER BY fact), '')) FROM (\
         SELECT 'n' || n.oid || n.nspname || coalesce(n.nspacl::text, '') AS fact FROM pg_namespace n WHERE {s} \
         UNION ALL SELECT 'c' || c.oid || ' ' || c.relname || c.relnamespace || c.relkind::text || c.relpersistence::text \
           || coalesce(c.relacl::text, '') || c.relrowsecurity::text || coalesce(c.reloptions::text, '') || c.relnatts \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {s} AND c.relkind <> 't' \
         UNION ALL SELECT 'a' || a.attrelid || ' ' || a.attnum || a.attname || ' ' || a.atttypid || ' ' || a.atttypmod \
           || a.attnotnull::text || a.attidentity::text || a.attgenerated::text || a.atthasdef::text \
           || coalesce(a.attacl::text, '') || a.attcollation FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {s} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind <> 't' \
         UNION ALL SELECT 'D' || d.adrelid || ' ' || d.adnum || md5(d.adbin::text) FROM pg_attrdef d \
         UNION ALL SELECT 'k' || x.oid || ' ' || x.conname || x.contype::text || x.conrelid || ' ' || x.confrelid \
           || coalesce(x.conkey::text, '') || coalesce(x.confkey::text, '') || x.convalidated::text || x.condeferrable::text \
           || x.condeferred::text || x.confupdtype::text || x.confdeltype::text || md5(coalesce(x.conbin::text, '')) \
           FROM pg_constraint x JOIN pg_namespace n ON n.oid = x.connamespace WHERE {s} \
         UNION ALL SELECT 'i' || i.indexrelid || ' ' || i.indrelid || i.indkey::text || i.indclass::text || i.indisunique::text \
           || md5(coalesce(i.indexprs::text, '') || coalesce(i.indpred::text, '')) FROM pg_index i \
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {s} \
         UNION ALL SELECT 't' || g.oid || ' ' || g.tgname || g.tgrelid || ' ' || g.tgfoid || ' ' || g.tgtype || g.tgenabled::text \
           || encode(g.tgargs, 'hex') || md5(coalesce(g.tgqual::text, '')) FROM pg_trigger g WHERE NOT g.tgisinternal \
         UNION ALL SELECT 'f' || p.oid || ' ' || p.proname || p.pronamespace || p.prokind::text || p.proargtypes::text \
           || p.prorettype || md5(coalesce(p.prosrc, '')) || coalesce(p.proacl::text, '') \
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {s} \
         UNION ALL SELECT 'r' || r.oid || ' ' || r.ev_class || r.rulename || md5(r.ev_action::text) FROM pg_rewrite r \
           WHERE r.oid >= 16384 \
         UNION ALL SELECT 'y' || y.oid || ' ' || y.typname || y.typnamespace || y.typtype::text || coalesce(y.typdefault, '') \
           || y.typnotnull::text || coalesce(y.typacl::text, '') FROM pg_type y JOIN pg_namespace n ON n.oid = y.typnamespace WHERE {s} \
         UNION ALL SELECT 'e' || e.oid || ' ' || e.enumtypid || e.enumlabel || e.enumsortorder FROM pg_enum e \
         UNION ALL SELECT 's' || q.seqrelid || ' ' || q.seqtypid || ' ' || q.seqstart || ' ' || q.seqincrement || ' ' || q.seqmax \
           || ' ' || q.seqmin || ' ' || q.seqcache || q.seqcycle::text FROM pg_sequence q \
         UNION ALL SELECT 'x' || x.extname || ' ' || x.extversion FROM pg_extension x \
         UNION ALL SELECT 'p' || y.oid || ' ' || y.polname || y.polrelid || y.polcmd::text \
           || md5(coalesce(y.polqual::text, '') || coalesce(y.polwithcheck::text, '')) FROM pg_policy y \
         UNION ALL SELECT 'd' || d.classoid || ' ' || d.objoid || ' ' || d.objsubid || ' ' || d.description FROM pg_description d \
           WHERE d.objoid >= 16384 \
         UNION ALL SELECT 'g' || coalesce(array_to_string(s.setconfig, ','), '') FROM pg_db_role_setting s \
           WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         UNION ALL SELECT 'l' || count(*) FROM pg_largeobject_metadata \
         ) facts"
    )
}

/// Run in the template being built, in one session: records what the reset restores into
/// a temporary table the build reads back (`SELECT kind, body FROM pg_temp.testrig_facts`).
pub(super) fn record_facts_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(build_record_facts_sql)
}

fn build_record_facts_sql() -> String {
    let s = USER_SCHEMAS;
    format!(
        "CREATE TEMP TABLE testrig_facts (kind text, body text); \
         DO $testrig$ DECLARE t record; rows json; cols text; setting text; BEGIN \
           FOR t IN SELECT c.oid, c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND c.relkind = 'r' ORDER BY c.oid LOOP \
             EXECUTE format('SELECT json_agg(r) FROM %s r', t.rel) INTO rows; \
             IF rows IS NOT NULL THEN \
               SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute \
                 WHERE attrelid = t.oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''; \
               INSERT INTO testrig_facts VALUES ('rows', format( \
                 'INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM json_populate_recordset(NULL::%s, %L)', \
                 t.rel, cols, cols, t.rel, rows)); \
             END IF; \
           END LOOP; \
           FOR t IN SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND c.relkind = 'S' ORDER BY c.oid LOOP \
             EXECUTE format('SELECT format(''SELECT setval(%%L::regclass, %%s, %%L::boolean)'', %L, last_value, is_called) FROM %s', t.rel, t.rel) \
               INTO setting; \
             INSERT INTO testrig_facts VALUES ('sequence', setting); \
           END LOOP; \
         END $testrig$; \
         INSERT INTO testrig_facts SELECT 'fingerprint', ({fingerprint}); ",
        fingerprint = fingerprint_sql()
    )
}

/// What a template's build recorded for resetting its clones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) fingerprint: String,
    /// `INSERT .. SELECT .. FROM json_populate_recordset(..)`, one per non-empty table.
    pub(crate) rows: Vec<String>,
    /// `SELECT setval(..)`, one per sequence.
    pub(crate) sequences: Vec<String>,
    /// When the template was built (unix seconds): a template no process uses is dropped a
    /// while after it was built or last taken from ([`super::reap`]).
    pub(crate) built: u64,
}

impl Facts {
    /// The template's description (its database comment), which every process reads back.
    pub(super) fn describe(&self) -> String {
        let join = |items: &[String]| items.join(&ITEM.to_string());
        format!(
            "{DESCRIPTION_TAG}{FIELD}{}{FIELD}{}{FIELD}{}{FIELD}{}",
            self.fingerprint,
            join(&self.rows),
            join(&self.sequences),
            self.built
        )
    }

    /// The facts in a description; `None` for one this version did not write.
    pub(super) fn read(description: &str) -> Option<Facts> {
        let mut fields = description.split(FIELD);
        if fields.next()? != DESCRIPTION_TAG {
            return None;
        }
        let fingerprint = fields.next()?.to_owned();
        let split = |field: &str| field.split(ITEM).filter(|item| !item.is_empty()).map(str::to_owned).collect();
        let rows = split(fields.next()?);
        let sequences = split(fields.next()?);
        let built = fields.next().and_then(|built| built.parse().ok()).unwrap_or(0);
        Some(Facts { fingerprint, rows, sequences, built })
    }
}

/// What puts `database` back into its template's state, in one transaction that does not
/// wait for the WAL flush (a test database needs no durability) and marks it clean in the
/// same commit. Run only after [`check`] passed; raises [`SCHEMA_CHANGED`] when the recorded
/// rows cannot go back in.
/// (`template` is its name, `facts` what its build recorded: the reset knows no `Template`,
/// so the template's build can use the reset's pieces without a cycle between them.)
pub(super) fn reset_sql(template: &str, facts: &Facts, database: &str) -> String {
    let rows = facts.rows.iter().map(|row| literal(row)).collect::<Vec<_>>().join(", ");
    // Recorded as `SELECT setval(..)`; inside PL/pgSQL a result nobody reads is `PERFORM`ed.
    let sequences =
        facts.sequences.iter().map(|set| format!("{};", set.replacen("SELECT ", "PERFORM ", 1))).collect::<String>();
    let s = USER_SCHEMAS;
    format!(
        "BEGIN; SET LOCAL synchronous_commit = off; \
         DO $testrig$ DECLARE t record; pending text[]; progress boolean; item text; triggers text[][] := '{{}}'; \
           restore text[] := ARRAY[{rows}]::text[]; BEGIN \
           FOR t IN SELECT g.tgrelid::regclass::text AS rel, quote_ident(g.tgname) AS name, g.tgenabled::text AS mode \
               FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND NOT g.tgisinternal AND g.tgenabled <> 'D' LOOP \
             EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %s', t.rel, t.name); \
             triggers := triggers || ARRAY[[t.rel, t.name, t.mode]]; \
           END LOOP; \
           SELECT array_agg(c.oid::regclass::text) INTO pending FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE {s} AND c.relkind = 'r'; \
           WHILE pending IS NOT NULL AND cardinality(pending) > 0 LOOP \
             progress := false; \
             FOREACH item IN ARRAY pending LOOP \
               BEGIN EXECUTE 'DELETE FROM ' || item; pending := array_remove(pending, item); progress := true; \
               EXCEPTION WHEN foreign_key_violation THEN NULL; END; \
             END LOOP; \
             IF NOT progress THEN EXECUTE 'TRUNCATE TABLE ' || array_to_string(pending, ', ') || ' CASCADE'; pending := NULL; END IF; \
           END LOOP; \
           WHILE cardinality(restore) > 0 LOOP \
             progress := false; \
             FOREACH item IN ARRAY restore LOOP \
               BEGIN EXECUTE item; restore := array_remove(restore, item); progress := true; \
               EXCEPTION WHEN foreign_key_violation THEN NULL; END; \
             END LOOP; \
             IF NOT progress THEN \
               RAISE EXCEPTION 'testrig: the recorded rows cannot be inserted back in any order' USING ERRCODE = '{SCHEMA_CHANGED}'; \
             END IF; \
           END LOOP; \
           {sequences} \
           FOR t IN SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND c.relkind = 'm' AND c.relispopulated LOOP \
             EXECUTE 'REFRESH MATERIALIZED VIEW ' || t.rel; \
           END LOOP; \
           FOR i IN 1 .. coalesce(array_length(triggers, 1), 0) LOOP \
             EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %s', triggers[i][1], \
               CASE triggers[i][3] WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, triggers[i][2]); \
           END LOOP; \
         END $testrig$; \
         COMMENT ON DATABASE \"{database}\" IS '{FREE_MARK}{template}'; COMMIT;"
    )
}

/// What must hold before a reset: the catalog's fingerprint is the template's. Asked as a
/// prepared statement on the kept connection, so it is planned once per connection (the
/// planning of this query costs more than running it).
pub(super) fn check(facts: &Facts) -> Check {
    Check { query: fingerprint_sql(), expected: facts.fingerprint.clone() }
}

/// A query whose one text result must equal `expected`.
#[derive(Debug, Clone)]
pub(super) struct Check {
    pub(super) query: &'static str,
    pub(super) expected: String,
}

/// What the kept connection runs when a [`Check`] fails: the reset's refusal, as the server's
/// error, so every caller tells it apart the same way.
pub(super) fn refusal_sql() -> String {
    format!(
        "DO $testrig$ BEGIN RAISE EXCEPTION 'testrig: the test changed the schema; its database is dropped, not reused' \
         USING ERRCODE = '{SCHEMA_CHANGED}'; END $testrig$"
    )
}

/// What marks a pooled database taken: if this process dies now, the next must not adopt it
/// as clean.
pub(super) fn taken_sql(database: &str) -> String {
    format!("BEGIN; SET LOCAL synchronous_commit = off; COMMENT ON DATABASE \"{database}\" IS NULL; COMMIT;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::db::postgres::names::built_at;

    #[test]
    fn facts_survive_the_description() {
        let facts = Facts {
            fingerprint: "abc".into(),
            rows: vec![
                "INSERT INTO t (a) SELECT a FROM json_populate_recordset(NULL::t, '[{\"a\":1}, \n {\"a\":2}]')".into()
            ],
            sequences: vec!["SELECT setval('t_id_seq', 7, true)".into(), "SELECT setval('u', 1, false)".into()],
            built: 1_700_000_000,
        };
        assert_eq!(built_at(&facts.describe()), 1_700_000_000);
        assert_eq!(Facts::read(&facts.describe()), Some(facts));
        assert_eq!(Facts::read(&Facts::default().describe()), Some(Facts::default()));
        assert_eq!(Facts::read("testrig:template:empty"), None, "an older template is never reused");
    }
}
