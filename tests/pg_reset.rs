//! On PostgreSQL a passed test's database is reused by the next test only when it is put
//! back exactly into its template's state; anything the reset cannot undo (DDL) gets the
//! next test a fresh clone instead. For each kind of change a passing test can make, the
//! next test sees exactly what a fresh clone shows. Skips, saying why, without a server.

#![allow(unnameable_test_items)]

mod support;

use std::sync::Mutex;

use sqlx::PgPool;
use testrig::db::Database;

struct Round {
    change: &'static [&'static str],
    reference: Option<String>,
    database: Option<String>,
}

static ROUND: Mutex<Round> = Mutex::new(Round { change: &[], reference: None, database: None });

/// The tests of this file take turns: each reads which database the next test gets, which a
/// test running beside it in this process could take first.
static SERIAL: Mutex<()> = Mutex::new(());

fn next_database() -> String {
    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn name_of(db: &Database) {
        ROUND.lock().unwrap().database = Some(db.name().to_owned());
    }
    name_of();
    ROUND.lock().unwrap().database.take().unwrap()
}

#[test]
fn every_change_a_passing_test_makes_is_gone_for_the_next() {
    support::without_handout();
    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn changes(pool: &PgPool, db: &Database) {
        let change = ROUND.lock().unwrap().change;
        let before = support::databases::observe(pool).await;
        for statement in change {
            sqlx::raw_sql(*statement).execute(pool).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        let mut round = ROUND.lock().unwrap();
        round.reference = Some(before);
        round.database = Some(db.name().to_owned());
    }

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn sees_the_template(pool: &PgPool, db: &Database) {
        let now = support::databases::observe(pool).await;
        let round = ROUND.lock().unwrap();
        assert_eq!(Some(&now), round.reference.as_ref(), "after {:?}", round.change);
        assert!(!db.name().is_empty());
    }

    if std::env::var_os("TESTRIG_DATABASE_URL").is_none() {
        println!("skipped: TESTRIG_DATABASE_URL is not set; SQLite databases are never reused");
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // Data: undone in place, so the next test reuses the same database.
    let data: &[&[&str]] = &[
        &["INSERT INTO users (name) VALUES ('carol')"],
        &["UPDATE users SET name = 'changed', mood = 'sad'"],
        &["DELETE FROM billing.invoices", "REFRESH MATERIALIZED VIEW billing.totals"],
        &["DELETE FROM billing.invoices WHERE user_id = 2", "DELETE FROM users WHERE id = 2"],
        &["INSERT INTO billing.ledger (entry) VALUES ('more')", "SELECT nextval('billing.ledger_id_seq')"],
        &["INSERT INTO billing.invoices (user_id, amount) VALUES (1, 5)", "REFRESH MATERIALIZED VIEW billing.totals"],
        &["INSERT INTO audit (what) VALUES ('by the test')", "SELECT setval('audit_id_seq', 500)"],
        &["TRUNCATE users, billing.invoices, audit"],
        // The stale view keeps its stale content: the reset must not refresh it.
        &["INSERT INTO billing.invoices (user_id, amount) VALUES (2, 7)"],
        &["ANALYZE", "VACUUM users"],
        &["VACUUM FULL billing.invoices"],
        &["CREATE TEMP TABLE scratch (x INT); INSERT INTO scratch VALUES (1)"],
    ];
    // Schema: cannot be undone in place, so the next test gets a fresh clone.
    let schema: &[&[&str]] = &[
        &["DROP VIEW user_names"],
        &["ALTER TABLE users ADD COLUMN age INT"],
        &["CREATE TABLE extra (x INT)", "INSERT INTO extra VALUES (1)"],
        &["CREATE TABLE billing.more (x INT)"],
        &["ALTER TYPE mood ADD VALUE 'angry'"],
        &["CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'"],
        &["CREATE OR REPLACE FUNCTION audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"],
        &["DROP TRIGGER users_audit ON users"],
        &["ALTER TABLE billing.ledger DISABLE TRIGGER ledger_append_only"],
        &["CREATE INDEX users_by_name ON users (name)"],
        &["GRANT SELECT ON users TO PUBLIC"],
        &["COMMENT ON TABLE users IS 'commented'"],
        &["DROP MATERIALIZED VIEW billing.totals"],
        &["ALTER SEQUENCE billing.ledger_id_seq INCREMENT BY 5"],
        // A refresh gives the stale view content no refresh takes back: only a clone has it.
        &["REFRESH MATERIALIZED VIEW billing.invoice_count"],
        // Kinds of catalog object the reset has no name for.
        &["CREATE COLLATION billing.byte_order FROM \"C\""],
        &["CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)"],
        &["CREATE STATISTICS users_stats ON id, name FROM users"],
        &["CREATE PUBLICATION users_out FOR TABLE users"],
        &["CREATE TEXT SEARCH CONFIGURATION plain (COPY = simple)"],
        &["ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC"],
        &["CREATE CAST (text AS mood) WITH INOUT"],
        &["CREATE CONVERSION to_latin FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1"],
        &["ALTER TABLE users FORCE ROW LEVEL SECURITY"],
        &["ALTER TABLE users REPLICA IDENTITY FULL"],
        &["ALTER TABLE users ALTER COLUMN name SET STORAGE EXTERNAL"],
        &["ALTER TABLE users ALTER COLUMN name SET STATISTICS 10"],
        &["CREATE DOMAIN positive AS int CHECK (VALUE > 0)"],
        &["CREATE AGGREGATE total (numeric) (SFUNC = numeric_add, STYPE = numeric)"],
        &["COMMENT ON SCHEMA public IS 'commented'"],
        &["GRANT CREATE ON SCHEMA public TO PUBLIC"],
        &["ALTER TABLE billing.ledger ENABLE ALWAYS TRIGGER ledger_append_only"],
        &["SELECT lo_create(4242)"],
        // The database's own attributes.
        &["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 1', current_database()); END $$"],
        &["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I IS_TEMPLATE true', current_database()); END $$"],
        &["DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database()); END $$"],
        &["DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC, current_user', current_database()); END $$"],
        &["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem TO %L', current_database(), '8MB'); END $$"],
    ];
    for (change, reused) in data.iter().map(|c| (c, true)).chain(schema.iter().map(|c| (c, false))) {
        ROUND.lock().unwrap().change = change;
        changes();
        let changed = ROUND.lock().unwrap().database.take().unwrap();
        sees_the_template();
        let next = next_database();
        if reused {
            assert_eq!(next, changed, "{change:?} is data: the database is reset and reused");
        } else {
            assert_ne!(next, changed, "{change:?} is DDL: the database is dropped, the next is a fresh clone");
        }
    }
}

/// The state the template gives: the next test must see this whatever the last one left.
async fn template_state(pool: &PgPool) -> (i64, i64) {
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit").fetch_one(pool).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await.unwrap();
    (audit, users)
}

/// Runs `test` on a thread of its own and fails, instead of hanging, when it has not
/// returned within `limit`: a reset waiting on a lock forever must show as a failure.
fn within(limit: std::time::Duration, test: fn()) {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(test);
        let _ = done.send(outcome.is_ok());
    });
    match finished.recv_timeout(limit) {
        Ok(passed) => assert!(passed, "the test failed"),
        Err(_) => panic!("the test (its teardown) was still running after {limit:?}"),
    }
}

/// A client connected by URL (diesel's, tokio-postgres', sea-orm's path) kept in a static
/// past its test, in a transaction holding row locks on a table the reset empties: the
/// release ends that session instead of waiting on its locks forever, and the next test
/// sees neither its uncommitted row nor a lock.
#[test]
fn a_connection_kept_past_its_test_neither_hangs_the_reset_nor_reaches_the_next() {
    support::without_handout();
    use sqlx::Connection;
    static KEPT: Mutex<Option<sqlx::PgConnection>> = Mutex::new(None);
    static SEEN: Mutex<Option<(i64, i64)>> = Mutex::new(None);

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn keeps_a_locking_connection(pool: &PgPool, db: &Database) {
        *SEEN.lock().unwrap() = Some(template_state(pool).await);
        let mut kept = sqlx::PgConnection::connect(db.url()).await.unwrap();
        sqlx::raw_sql("BEGIN; SELECT * FROM users FOR UPDATE; INSERT INTO audit (what) VALUES ('uncommitted')")
            .execute(&mut kept)
            .await
            .unwrap();
        *KEPT.lock().unwrap() = Some(kept);
        ROUND.lock().unwrap().database = Some(db.name().to_owned());
    }

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn sees_the_template(pool: &PgPool) {
        // A row lock left behind would block this update.
        sqlx::query("UPDATE users SET name = name").execute(pool).await.unwrap();
        assert_eq!(Some(template_state(pool).await), *SEEN.lock().unwrap());
    }

    if std::env::var_os("TESTRIG_DATABASE_URL").is_none() {
        println!("skipped: TESTRIG_DATABASE_URL is not set; SQLite databases are never reused");
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    within(std::time::Duration::from_secs(60), keeps_a_locking_connection);
    let used = ROUND.lock().unwrap().database.take().unwrap();
    within(std::time::Duration::from_secs(60), sees_the_template);
    assert_eq!(next_database(), used, "the database is reset and reused once the kept session is ended");
    drop(KEPT.lock().unwrap().take());
}

/// A thread a test started keeps writing by URL after the test returned: its session is
/// ended before the reset, so nothing it wrote reaches the next test, which gets the same
/// database in this process.
#[test]
fn a_thread_still_writing_after_its_test_leaks_nothing_into_the_next() {
    support::without_handout();
    use sqlx::Connection;
    static WRITER: Mutex<Option<std::thread::JoinHandle<u64>>> = Mutex::new(None);
    static SEEN: Mutex<Option<(i64, i64)>> = Mutex::new(None);

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn leaves_a_writer(pool: &PgPool, db: &Database) {
        *SEEN.lock().unwrap() = Some(template_state(pool).await);
        let url = db.url().to_owned();
        let (started, writing) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
                let mut writes = 0;
                // Until its session is ended under it.
                while sqlx::query("INSERT INTO audit (what) VALUES ('leaked')").execute(&mut connection).await.is_ok() {
                    writes += 1;
                    if writes == 1 {
                        started.send(()).unwrap();
                    }
                }
                writes
            })
        });
        writing.recv().unwrap();
        *WRITER.lock().unwrap() = Some(writer);
        ROUND.lock().unwrap().database = Some(db.name().to_owned());
    }

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn sees_the_template(pool: &PgPool) {
        let leaked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM audit WHERE what = 'leaked'").fetch_one(pool).await.unwrap();
        assert_eq!(leaked, 0, "rows the last test's thread wrote reached this test");
        assert_eq!(Some(template_state(pool).await), *SEEN.lock().unwrap());
    }

    if std::env::var_os("TESTRIG_DATABASE_URL").is_none() {
        println!("skipped: TESTRIG_DATABASE_URL is not set; SQLite databases are never reused");
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    leaves_a_writer();
    let used = ROUND.lock().unwrap().database.take().unwrap();
    let writes = WRITER.lock().unwrap().take().unwrap().join().unwrap();
    assert!(writes > 0);
    sees_the_template();
    assert_eq!(next_database(), used, "the database is reset and reused once the writer's session is ended");
}

/// A session of another role, which this role may not end, left on a passed test's database:
/// the release fails within its bound (not forever), naming the role, and the database is not handed to the next test. `.ci/postgres.sh` makes that role,
/// `testrig_second`, with the first one's password.
#[test]
fn a_session_this_role_cannot_end_fails_the_release_naming_it() {
    support::without_handout();
    use sqlx::Connection;
    static OTHER: Mutex<Option<sqlx::PgConnection>> = Mutex::new(None);

    #[testrig::test]
    #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn leaves_another_roles_session(db: &Database) {
        let url = db.url().replacen("://testrig:", "://testrig_second:", 1);
        let mut other = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("SELECT 'still here'").execute(&mut other).await.unwrap();
        *OTHER.lock().unwrap() = Some(other);
        ROUND.lock().unwrap().database = Some(db.name().to_owned());
    }

    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; roles are a PostgreSQL server's", support::databases::NO_POSTGRES);
        return;
    };
    let second = url.replacen("://testrig:", "://testrig_second:", 1);
    let reachable = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async { sqlx::PgConnection::connect(&second).await.is_ok() });
    if second == url || !reachable {
        println!("skipped: no role `testrig_second` with the same password on this server (.ci/postgres.sh makes one)");
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let failed = std::panic::catch_unwind(leaves_another_roles_session).expect_err("the release must fail");
    let message = support::panic_text(failed);
    let used = ROUND.lock().unwrap().database.take().unwrap();
    let other = OTHER.lock().unwrap().take().unwrap();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(other.close()).unwrap();
    // Kept for inspection as a failed test's: dropped here, so the run leaves nothing behind.
    support::databases::drop_on_server(&url, std::slice::from_ref(&used));
    assert!(
        // Its query is another role's to see: the server shows this role no more than the role.
        message.contains("a session of role testrig_second") && message.contains("cannot end it"),
        "the failure names the session: {message}"
    );
    assert!(!message.contains(url.split('@').next().unwrap()), "no credentials in: {message}");
    assert_ne!(next_database(), used);
}

/// A test's session ending as the reset checks the database drops its temporary tables then:
/// the check reads the catalog in its statement's snapshot and counts the sessions after it,
/// so it could count none left while still reading those tables, and take a data-only test for
/// one that changed the schema (the next test then got a fresh clone: seen in CI). Each round
/// leaves a different number of temporary tables, so their drop takes a different time and
/// some round ends inside the check's window (here, without the fix, about one round in five).
#[test]
fn temporary_tables_dropped_as_their_session_ends_do_not_count_as_a_schema_change() {
    support::without_handout();
    static TABLES: Mutex<usize> = Mutex::new(0);

    #[testrig::test]
    #[database(backend = postgres, migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
    async fn leaves_temporary_tables(pool: &PgPool, db: &Database) {
        let tables = *TABLES.lock().unwrap();
        let create: String = (0..tables).map(|i| format!("CREATE TEMP TABLE scratch_{i} (x INT, y TEXT); ")).collect();
        sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(pool).await.unwrap();
        ROUND.lock().unwrap().database = Some(db.name().to_owned());
    }

    if support::databases::postgres_url().is_none() {
        println!("skipped: {}", support::databases::NO_POSTGRES);
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    leaves_temporary_tables();
    let first = ROUND.lock().unwrap().database.take().unwrap();
    for round in 0..60 {
        *TABLES.lock().unwrap() = round % 30 + 1;
        leaves_temporary_tables();
        let used = ROUND.lock().unwrap().database.take().unwrap();
        assert_eq!(
            used, first,
            "round {round}: temporary tables are no schema change: the database is reset and reused"
        );
    }
}
