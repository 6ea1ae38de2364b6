//! Putting a passed test's database back into its template's exact state so the next test
//! can take it: a few ms on a connection that is already open, against ~60 ms for
//! `DROP DATABASE` and `CREATE DATABASE .. TEMPLATE`.
//!
//! Only what is provably the template is reused. The proof has three parts:
//! - **Nobody else is on it.** The check counts the database's sessions first
//!   ([`SESSIONS_QUERY`]); any other (a by-URL client a test kept in a static included) is
//!   ended and waited for, bounded ([`end_sessions_sql`]). Only then is the catalog read, in a
//!   later snapshot: whatever a session did before it left is in it.
//! - **Its catalog is the template's.** The check is not a list of object kinds: it is made
//!   from the server's own catalog ([`FINGERPRINT_GENERATOR`]): every row of every
//!   per-database catalog table that belongs to the user's objects, as text, minus the few
//!   columns the server rewrites by itself without DDL. A collation, an operator, extended
//!   statistics, a publication, default privileges, FORCE ROW LEVEL SECURITY, a column's
//!   STORAGE — whatever a test can create or alter shows. The database's own attributes
//!   (connection limit, IS_TEMPLATE, its privileges and owner, `ALTER DATABASE .. SET`) must
//!   be a fresh clone's ([`DATABASE_AS_CLONED`]). Any difference: the database is dropped
//!   and the next test gets a fresh clone.
//! - **Its data is put back.** When the template is built, its facts are recorded
//!   ([`Facts`]): the rows of every non-empty table, every sequence's value and a hash of
//!   each populated materialized view's content. The reset deletes every row of every user
//!   table, in every schema, with the user's triggers disabled (so an audit or append-only
//!   trigger neither writes nor refuses), inserts the recorded rows back, sets every sequence
//!   to its recorded value, and gives each materialized view its recorded content back: left
//!   alone when it still has it, refreshed when a refresh gives it back (the test refreshed
//!   it after changing data), refused otherwise (the template's content was stale, so only a
//!   fresh clone has it).
//!
//! A database left clean for a later process is checked and reset again when adopted: its
//! process's last test may have left a session that wrote after its reset. Not when it was
//! **sealed** ([`seal_sql`]): the run's handout, tearing down, first forbids connections to
//! it, then checks (no other session, the template's catalog) and resets it. From the seal on
//! nobody can connect, so the state the check proved is the state the adopter finds; it
//! allows connections again ([`unseal_sql`]) and hands it out after one statement instead of
//! a check and a reset on a new, cold connection (~35 ms of the first test of a run).

use super::names::{literal, DESCRIPTION_TAG, FIELD, FREE_MARK, ITEM};

/// The SQLSTATE the reset raises when the test changed the schema: the database is dropped
/// instead of reused, which is no failure of the test.
pub(super) const SCHEMA_CHANGED: &str = "TRG01";

/// The SQLSTATE raised when a session the reset cannot end stays on the database.
pub(super) const SESSION_LEFT: &str = "TRG02";

/// The schemas that hold the user's objects: all but the system's.
const USER_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// Run on any database of the server, returns the query whose one text result fingerprints a
/// database's catalog. Made from the catalog tables the server has, so a kind of object this
/// code never heard of is covered too. Per catalog table, the rows of the user's objects:
/// - an object id past the system's (`>= 16384`, FirstNormalObjectId) in a table with `oid`;
/// - in one without, its leading object column (its key: `attrelid`, `indexrelid`, `objoid`,
///   ..) past the system's, and for descriptions, labels and initial privileges also those
///   of a schema (`public` belongs to the database owner); when the leading column names a
///   catalog (`pg_depend`'s `classid`), any object column past the system's;
/// - every large object, whose id the user may choose (`lo_create(42)`);
/// - every schema but the temporary ones, which the server keeps after their sessions end;
/// - none of the toast relations (and their columns, indexes, dependencies), which the server
///   makes anew for a relation rewritten by REFRESH, VACUUM FULL or CLUSTER.
///
/// Left out: the columns the server rewrites by itself with no DDL (VACUUM and ANALYZE's page
/// and tuple counts and frozen xids, the file node TRUNCATE and REFRESH give a relation, the
/// `relhas*` flags VACUUM clears lazily: the objects they summarize are rows of their own),
/// statistics (ANALYZE rewrites them), and catalogs this role may not read (nor write).
pub(super) const FINGERPRINT_GENERATOR: &str = r#"SELECT 'WITH toast AS MATERIALIZED (SELECT coalesce(array_agg(oid), ''{}'') AS oids
    FROM pg_catalog.pg_class WHERE oid >= 16384 AND relnamespace = ''pg_toast''::regnamespace),
  schemas AS MATERIALIZED (SELECT array_agg(oid) AS oids FROM pg_catalog.pg_namespace)
  SELECT md5(coalesce(string_agg(fact, E''\n'' ORDER BY fact), '''')) FROM ('
  || string_agg(format('SELECT %L || ROW(%s)::text AS fact FROM pg_catalog.%I r WHERE %s', c.relname, a.columns, c.relname,
       CASE WHEN c.relname = 'pg_namespace' THEN 'r.nspname !~ ''^pg_(toast_)?temp_'''
            WHEN c.relname IN ('pg_largeobject', 'pg_largeobject_metadata') THEN 'true'
            WHEN c.relname = 'pg_class' THEN 'r.oid >= 16384 AND r.relnamespace <> ''pg_toast''::regnamespace'
            WHEN a.has_oid THEN 'r.oid >= 16384'
            WHEN a.first_is_object THEN format('(r.%I >= 16384', a.first_column)
              || CASE WHEN a.has_objoid THEN ' OR r.objoid = ANY ((SELECT oids FROM schemas)::oid[])' ELSE '' END
              || CASE WHEN a.first_column ~ 'relid$' THEN format(') AND r.%I <> ALL ((SELECT oids FROM toast)::oid[])', a.first_column)
                 ELSE ')' END
            ELSE '(' || coalesce(a.any_object, 'false') || ')'
              || CASE WHEN a.has_objid
                   THEN ' AND NOT (r.classid = ''pg_class''::regclass AND r.objid = ANY ((SELECT oids FROM toast)::oid[]))' ELSE '' END
       END),
     ' UNION ALL ' ORDER BY c.relname) || ') facts'
FROM pg_catalog.pg_class c CROSS JOIN LATERAL (
  SELECT string_agg('r.' || quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns,
    bool_or(a.attname = 'oid') AS has_oid, bool_or(a.attname = 'objoid') AS has_objoid, bool_or(a.attname = 'objid') AS has_objid,
    (array_agg(a.attname ORDER BY a.attnum))[1] AS first_column,
    (array_agg(a.atttypid IN ('oid'::regtype, 'regproc'::regtype) AND a.attname !~ 'classid$' ORDER BY a.attnum))[1]
      AS first_is_object,
    string_agg('r.' || quote_ident(a.attname) || ' >= 16384', ' OR ' ORDER BY a.attnum)
      FILTER (WHERE a.atttypid IN ('oid'::regtype, 'regproc'::regtype)) AS any_object
  FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname NOT IN ('relpages', 'reltuples', 'relallvisible', 'relfrozenxid', 'relminmxid', 'relfilenode',
      'reltoastrelid', 'relhasindex', 'relhasrules', 'relhastriggers', 'relhassubclass')) a
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
  AND has_table_privilege(c.oid, 'SELECT') AND c.relname NOT IN ('pg_statistic', 'pg_statistic_ext_data')"#;

/// Empty for a database whose own attributes are those `CREATE DATABASE .. TEMPLATE` gives:
/// no connection limit, not a template, default privileges, owned by this role, no
/// `ALTER DATABASE .. SET`. Else why not: a test's `CONNECTION LIMIT 1` would starve the
/// next test's pool, `IS_TEMPLATE true` keep the reaper from dropping it, `REVOKE CONNECT`
/// lock the next test out.
/// (`allowed` is `d.datallowconn`, or its negation for a database being sealed: connections
/// forbidden by the seal, as a clone's are allowed.)
fn database_as_cloned(allowed: &str) -> String {
    format!(
        "SELECT CASE WHEN d.datconnlimit = -1 AND NOT d.datistemplate \
         AND {allowed} AND d.datacl IS NULL AND d.datdba = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) \
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid) \
         THEN '' ELSE ' (the database''s own attributes changed)' END FROM pg_catalog.pg_database d WHERE d.datname = current_database()"
    )
}

/// How many sessions are on the database, this one included (~0.2 ms to ask, against ~0.8 ms
/// to read `pg_stat_activity`): asked before [`check_query`], in a statement of its own, so
/// the catalog is read in a snapshot taken after the count. A session that is gone by the
/// count committed all it did before (DDL, the drop of its temporary tables as it exited),
/// and the catalog read shows it; one still there is ended first ([`end_sessions_sql`]).
pub(super) const SESSIONS_QUERY: &str =
    "SELECT pg_stat_get_db_numbackends((SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))";

/// The check run before a reset, once no other session is on the database
/// ([`SESSIONS_QUERY`]): the catalog's fingerprint followed by what [`database_as_cloned`]
/// says, equal to the template's recorded fingerprint exactly when the database may be
/// reused. `fingerprint` is what [`FINGERPRINT_GENERATOR`] made.
pub(super) fn check_query(fingerprint: &str) -> String {
    check_query_expecting(fingerprint, "d.datallowconn")
}

fn check_query_expecting(fingerprint: &str, allowed: &str) -> String {
    format!("SELECT ({fingerprint}) || ({})", database_as_cloned(allowed))
}

/// Forbids connections to `database`, the first step of sealing it: run on an admin
/// connection (none may forbid connections to its own database), committed on its own,
/// before [`sealed_check`] and the reset on the kept connection.
pub(super) fn seal_sql(database: &str) -> String {
    format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false")
}

/// [`check`] for a database [`seal_sql`] sealed: the same, but connections forbidden.
pub(super) fn sealed_check(facts: &Facts) -> Check {
    Check {
        query: check_query_expecting(&facts.fingerprint_query, "NOT d.datallowconn").into(),
        expected: facts.fingerprint.clone(),
    }
}

/// Whether `database` (a clean one just renamed by its adopter, so no other process adopts
/// it) was sealed: its check and reset may then be skipped, once [`unseal_sql`] allowed
/// connections again.
pub(super) fn sealed_query(database: &str) -> String {
    format!("SELECT NOT datallowconn FROM pg_catalog.pg_database WHERE datname = {}", literal(database))
}

/// Allows connections to a sealed database again, as a clone's are.
pub(super) fn unseal_sql(database: &str) -> String {
    format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true")
}

/// Run on a sealed database after its last reset of a run: the dead rows the reset left
/// cleaned up and its statistics brought up to date, so no autovacuum worker comes to it later
/// (a worker on a database holds up its rename: the next run's adoption). Alone in its query:
/// VACUUM runs in no transaction block. Neither changes what the check compares.
pub(super) const VACUUM: &str = "VACUUM (ANALYZE)";

/// How long [`VACUUM`] may take: the run is over, and a large database is not worth waiting for.
pub(super) const VACUUM_BOUND: &str = "SET statement_timeout = '10s'";

/// What the kept connection's session is set to when it opens: every wait of a reset is
/// bounded (a lock a session this role cannot end holds, a server that stops answering).
pub(super) const SESSION_BOUNDS: &str = "SET lock_timeout = '10s'; SET statement_timeout = '300s'";

/// Run on the kept connection when the check found other sessions on the database: ends them
/// and waits (at most 5 s) for them to be gone, so nothing a test left connected (a by-URL
/// client in a static, a thread still writing) commits after the check, holds a lock the
/// reset would wait on, or writes after it. A session this role may not end (another role's)
/// fails the release naming it and its last query. (A transaction reads `pg_stat_activity`
/// once unless told to read it again: the wait clears that snapshot each round, or it would
/// see the ended sessions for its whole 5 s.)
pub(super) fn end_sessions_sql() -> String {
    let others = "FROM pg_catalog.pg_stat_activity \
        WHERE datname = current_database() AND pid <> pg_backend_pid() \
        AND usesysid IS NOT NULL AND coalesce(backend_type, 'client backend') = 'client backend'";
    format!(
        "DO $testrig$ DECLARE s record; BEGIN \
           FOR s IN SELECT pid {others} LOOP \
             BEGIN PERFORM pg_terminate_backend(s.pid); EXCEPTION WHEN insufficient_privilege THEN NULL; END; \
           END LOOP; \
           FOR i IN 1 .. 500 LOOP \
             EXIT WHEN NOT EXISTS (SELECT 1 {others}); \
             PERFORM pg_sleep(0.01); PERFORM pg_stat_clear_snapshot(); \
           END LOOP; \
           SELECT pid, usename, state, left(query, 300) AS query INTO s {others} LIMIT 1; \
           IF FOUND THEN \
             RAISE EXCEPTION USING ERRCODE = '{SESSION_LEFT}', MESSAGE = format('testrig: a session of role %s \
               (pid %s, %s) is still connected to the test database after 5 s and this role cannot end it; \
               its last query: %s', s.usename, s.pid, coalesce(s.state, 'state hidden'), s.query); \
           END IF; \
         END $testrig$;"
    )
}

/// The hash of a relation's content as a `format()` pattern of the relation, quoted for use
/// inside a PL/pgSQL string: its rows as text, sorted, so equal multisets of rows hash alike.
const CONTENT_HASH: &str = "'SELECT md5(coalesce(string_agg(r::text, E''\\n'' ORDER BY r::text), '''')) FROM %s r'";

/// Run in the template being built, in one session: records the rows, sequences and
/// materialized views the reset restores into a temporary table the build reads back
/// (`SELECT kind, body FROM pg_temp.testrig_facts`). The fingerprint is taken after that table
/// is dropped, with the query [`FINGERPRINT_GENERATOR`] made.
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
           FOR t IN SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND c.relkind = 'r' ORDER BY c.oid LOOP \
             INSERT INTO testrig_facts VALUES ('table', t.rel); \
           END LOOP; \
           FOR t IN SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND c.relkind = 'm' AND c.relispopulated ORDER BY c.oid LOOP \
             EXECUTE format({CONTENT_HASH}, t.rel) INTO setting; \
             INSERT INTO testrig_facts VALUES ('matview', setting || ' ' || t.rel); \
           END LOOP; \
         END $testrig$;"
    )
}

/// What a template's build recorded for resetting its clones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) fingerprint: String,
    /// The query the fingerprint is taken with ([`FINGERPRINT_GENERATOR`]'s, on this server).
    pub(crate) fingerprint_query: String,
    /// `INSERT .. SELECT .. FROM json_populate_recordset(..)`, one per non-empty table.
    pub(crate) rows: Vec<String>,
    /// `SELECT setval(..)`, one per sequence.
    pub(crate) sequences: Vec<String>,
    /// `<md5 of its content> <relation>`, one per populated materialized view.
    pub(crate) matviews: Vec<String>,
    /// Every table, as the reset names it: the check proves a clone has these and no other,
    /// so the reset empties them without asking the catalog (~0.3 ms a reset).
    pub(crate) tables: Vec<String>,
    /// When the template was built (unix seconds): a template no process uses is dropped a
    /// while after it was built or last taken from ([`super::reap`]).
    pub(crate) built: u64,
}

impl Facts {
    /// The template's description (its database comment), which every process reads back.
    /// `built` is the fifth field, where [`super::names::built_at`] reads it.
    pub(super) fn describe(&self) -> String {
        let join = |items: &[String]| items.join(&ITEM.to_string());
        format!(
            "{DESCRIPTION_TAG}{FIELD}{}{FIELD}{}{FIELD}{}{FIELD}{}{FIELD}{}{FIELD}{}{FIELD}{}",
            self.fingerprint,
            join(&self.rows),
            join(&self.sequences),
            self.built,
            join(&self.matviews),
            join(&self.tables),
            self.fingerprint_query
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
        let built = fields.next()?.parse().ok()?;
        let matviews = split(fields.next()?);
        let tables = split(fields.next()?);
        let fingerprint_query = fields.next().filter(|query| !query.is_empty())?.to_owned();
        Some(Facts { fingerprint, fingerprint_query, rows, sequences, matviews, tables, built })
    }
}

/// What puts `database` back into its template's state, in one transaction that does not
/// wait for the WAL flush (a test database needs no durability) and marks it clean in the
/// same commit. Run only after [`check`] passed; raises [`SCHEMA_CHANGED`] when the recorded
/// rows cannot go back in, or a materialized view cannot get its recorded content back.
/// (`template` is its name, `facts` what its build recorded: the reset knows no `Template`,
/// so the template's build can use the reset's pieces without a cycle between them.)
pub(super) fn reset_sql(template: &str, facts: &Facts, database: &str) -> String {
    let list = |items: &[String]| items.iter().map(|item| literal(item)).collect::<Vec<_>>().join(", ");
    let rows = list(&facts.rows);
    let matviews = list(&facts.matviews);
    let tables = list(&facts.tables);
    // Recorded as `SELECT setval(..)`; inside PL/pgSQL a result nobody reads is `PERFORM`ed.
    let sequences =
        facts.sequences.iter().map(|set| format!("{};", set.replacen("SELECT ", "PERFORM ", 1))).collect::<String>();
    let s = USER_SCHEMAS;
    format!(
        "BEGIN; SET LOCAL synchronous_commit = off; \
         DO $testrig$ DECLARE t record; pending text[]; progress boolean; item text; triggers text[][] := '{{}}'; \
           restore text[] := ARRAY[{rows}]::text[]; views text[] := ARRAY[{matviews}]::text[]; content text; BEGIN \
           pending := ARRAY[{tables}]::text[]; \
           FOR t IN SELECT g.tgrelid::regclass::text AS rel, quote_ident(g.tgname) AS name, g.tgenabled::text AS mode \
               FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE {s} AND NOT g.tgisinternal AND g.tgenabled <> 'D' LOOP \
             EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %s', t.rel, t.name); \
             triggers := triggers || ARRAY[[t.rel, t.name, t.mode]]; \
           END LOOP; \
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
           FOREACH item IN ARRAY views LOOP \
             EXECUTE format({CONTENT_HASH}, substr(item, 34)) INTO content; \
             IF content <> left(item, 32) THEN \
               EXECUTE 'REFRESH MATERIALIZED VIEW ' || substr(item, 34); \
               EXECUTE format({CONTENT_HASH}, substr(item, 34)) INTO content; \
               IF content <> left(item, 32) THEN \
                 RAISE EXCEPTION 'testrig: materialized view % cannot get the template''s content back', substr(item, 34) \
                   USING ERRCODE = '{SCHEMA_CHANGED}'; \
               END IF; \
             END IF; \
           END LOOP; \
           FOR i IN 1 .. coalesce(array_length(triggers, 1), 0) LOOP \
             EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %s', triggers[i][1], \
               CASE triggers[i][3] WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, triggers[i][2]); \
           END LOOP; \
         END $testrig$; \
         COMMENT ON DATABASE \"{database}\" IS '{FREE_MARK}{template}'; COMMIT;"
    )
}

/// What must hold before a reset: no other session on the database, and its catalog and own
/// attributes are the template's. `query` is [`check_query`]'s, asked as a prepared statement
/// on the kept connection, so it is planned once per connection (planning it costs more than
/// running it).
pub(super) fn check(query: &std::sync::Arc<str>, facts: &Facts) -> Check {
    Check { query: query.clone(), expected: facts.fingerprint.clone() }
}

/// [`check_query`], whose text result must equal `expected`.
#[derive(Debug, Clone)]
pub(super) struct Check {
    pub(super) query: std::sync::Arc<str>,
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
            fingerprint_query: "SELECT 'abc'".into(),
            rows: vec![
                "INSERT INTO t (a) SELECT a FROM json_populate_recordset(NULL::t, '[{\"a\":1}, \n {\"a\":2}]')".into()
            ],
            sequences: vec!["SELECT setval('t_id_seq', 7, true)".into(), "SELECT setval('u', 1, false)".into()],
            matviews: vec!["0123456789abcdef0123456789abcdef billing.totals".into()],
            tables: vec!["users".into(), "billing.invoices".into()],
            built: 1_700_000_000,
        };
        assert_eq!(built_at(&facts.describe()), 1_700_000_000);
        assert_eq!(Facts::read(&facts.describe()), Some(facts));
        let bare = Facts { fingerprint_query: "SELECT ''".into(), ..Facts::default() };
        assert_eq!(Facts::read(&bare.describe()), Some(bare));
        assert_eq!(Facts::read(&Facts::default().describe()), None, "no query to check a clone with");
        assert_eq!(Facts::read("testrig:template:empty"), None, "an older template is never reused");
        let v3 = "testrig:template:v3\u{1f}abc\u{1f}\u{1f}\u{1f}1700000000";
        assert_eq!(Facts::read(v3), None, "a template recorded without its materialized views is never reused");
    }
}
