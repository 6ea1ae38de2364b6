//! One database per test: `#[database(..)]`, typed pools, seeds, the default recipe.
//! On SQLite by default; with `TESTRIG_DATABASE_URL` the backend-neutral tests run on
//! PostgreSQL too, and the `&PgPool` tests run (they skip, saying why, without a server).

#![allow(unnameable_test_items)]

mod support;

use sqlx::{AnyPool, SqlitePool};
use testrig::db::{Backend, Database};

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap()
}

#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users", "posts"))]
async fn seeds_run_after_the_migrations_in_order(pool: &SqlitePool) {
    assert_eq!((count(pool, "users").await, count(pool, "posts").await), (2, 1));
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = 1").fetch_one(pool).await.unwrap();
    assert_eq!(name, "alice");
}

/// Forty tests in parallel, each changing its seeded rows: every one starts from exactly the
/// seeds, whatever the others did.
#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
async fn every_test_gets_the_seeds_untouched(
    #[values(0, 1, 2, 3, 4, 5, 6, 7)] a: i64,
    #[values(0, 1, 2, 3, 4)] b: i64,
    pool: &SqlitePool,
) {
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM users ORDER BY id").fetch_all(pool).await.unwrap();
    assert_eq!(names, ["alice", "bob"]);
    sqlx::query("DELETE FROM users").execute(pool).await.unwrap();
    sqlx::query("INSERT INTO users (id, name) VALUES ($1, 'mine')").bind(100 + a * 5 + b).execute(pool).await.unwrap();
    assert_eq!(count(pool, "users").await, 1);
}

#[testrig::test]
#[database(migrations = false)]
async fn migrations_false_is_an_empty_database(pool: &SqlitePool) {
    let tables: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetch_one(pool).await.unwrap();
    assert_eq!(tables, 0);
}

/// No attribute: the crate's `migrations/`, as `sqlx::migrate!()`; this crate has none, so
/// the database is empty.
#[testrig::test]
async fn a_typed_pool_needs_no_attribute(pool: &SqlitePool) {
    let tables: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetch_one(pool).await.unwrap();
    assert_eq!(tables, 0);
    sqlx::query("CREATE TABLE t (x INTEGER)").execute(pool).await.unwrap();
}

#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
async fn other_clients_connect_by_url(db: &Database) {
    match db.backend() {
        Backend::Sqlite => {
            assert!(db.url().starts_with("sqlite://"), "{}", db.url());
            assert!(std::path::Path::new(db.name()).is_file(), "{}", db.name());
            let own = SqlitePool::connect(db.url()).await.unwrap();
            assert_eq!(count(&own, "users").await, 2);
            own.close().await;
        }
        Backend::Postgres => assert!(db.url().starts_with("postgres"), "the URL is the test's own database"),
    }
}

#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
async fn any_pool_reaches_the_same_database(any: &AnyPool, db: &Database) {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(any).await.unwrap();
    assert_eq!(n, 2);
    sqlx::query("DELETE FROM users WHERE id = 1").execute(any).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.any()).await.unwrap();
    assert_eq!(left, 1, "the parameter and `db.any()` are one pool to one database");
}

#[testrig::test]
#[database(migrations = "tests/migrations/users")]
async fn a_typed_pool_and_the_database_are_one(pool: &SqlitePool, db: &Database) {
    sqlx::query("INSERT INTO users (id, name) VALUES (7, 'carol')").execute(pool).await.unwrap();
    assert_eq!(count(db.sqlite(), "users").await, 1);
    assert_eq!(db.backend(), Backend::Sqlite, "`&SqlitePool` means SQLite, whatever TESTRIG_DATABASE_URL says");
}

/// On PostgreSQL too, a connection kept past the test cannot hang teardown: the test fails
/// within the bound saying so, and its database is kept (here dropped by the test itself).
#[test]
fn a_pg_connection_kept_past_the_test_fails_it_within_the_bound() {
    static KEPT: std::sync::Mutex<Option<sqlx::pool::PoolConnection<sqlx::Postgres>>> = std::sync::Mutex::new(None);
    static NAME: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    #[testrig::test]
    #[database(migrations = false)]
    async fn keeps_one(pool: &sqlx::PgPool, db: &Database) {
        *NAME.lock().unwrap() = db.name().to_owned();
        *KEPT.lock().unwrap() = Some(pool.acquire().await.unwrap());
    }
    // On a server given only: on a throwaway one the failure would keep the server's data
    // directory an hour (for inspection), past the run.
    let Some(url) = support::databases::server_url() else {
        println!(
            "skipped: TESTRIG_DATABASE_URL is not set (a failed test's databases keep a throwaway server's directory)"
        );
        return;
    };
    let started = std::time::Instant::now();
    let failure = std::panic::catch_unwind(keeps_one).unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert!(message.contains("was still held 5s after the test"), "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "teardown waited {:?}", started.elapsed());
    std::mem::forget(KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
    let name = NAME.lock().unwrap().clone();
    let names = std::slice::from_ref(&name);
    assert_eq!(support::databases::on_server(&url, Vec::new(), names), names, "kept");
    let comment = support::databases::comment_of(&url, &name);
    support::databases::drop_on_server(&url, names);
    assert!(comment.starts_with("testrig:kept:"), "not marked kept for later reapers: {comment:?}");
}

/// The session that proves this process alive to the server (its owner lock) is opened
/// again when it was cut (a server restart, `pg_terminate_backend`): the next new template
/// still works, and the lock is held again.
#[test]
fn a_cut_owner_session_is_opened_again() {
    static NAME: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    #[testrig::test]
    #[database(backend = postgres, migrations = "tests/migrations/users")]
    async fn first(db: &Database) {
        *NAME.lock().unwrap() = db.name().to_owned();
    }
    // A recipe no other test has: its template is new to this process.
    #[testrig::test]
    #[database(backend = postgres, migrations = false, fixtures(path = "migrations/users/0001_users.sql"))]
    async fn after_the_cut(db: &Database) {
        assert_eq!(db.backend(), Backend::Postgres);
    }
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}", support::databases::NO_POSTGRES);
        return;
    };
    first();
    let name = NAME.lock().unwrap().clone();
    // `testrig_t_<owner id, 8 hex>_..`
    let owner = u32::from_str_radix(&name["testrig_t_".len()..][..8], 16).unwrap();
    let holder = format!(
        "FROM pg_locks WHERE locktype = 'advisory' AND classid = 2119630849 AND objid = {owner} AND objsubid = 2"
    );
    let cut = format!("SELECT pg_terminate_backend(pid) {holder}");
    support::databases::on_server(&url, vec![cut], &[]);
    after_the_cut();
    let held = support::databases::count_in("postgres", &format!("SELECT count(*) {holder}"));
    assert_eq!(held, 1, "the owner lock of {owner:08x} is not held again");
}

/// `&PgPool` asks for PostgreSQL: `TESTRIG_DATABASE_URL`, else `DATABASE_URL`.
#[test]
fn pg_pool_gets_a_seeded_database_on_the_server() {
    #[testrig::test]
    #[database(migrations = "tests/migrations/users", fixtures("users", "posts"))]
    async fn seeded(pool: &sqlx::PgPool, db: &Database) {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
        assert_eq!(n, 2);
        assert_eq!(db.backend(), Backend::Postgres);
        let current: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
        assert_eq!(current, db.name());
        sqlx::query("DELETE FROM posts").execute(pool).await.unwrap();
    }
    if std::env::var_os("TESTRIG_DATABASE_URL").is_none() && std::env::var_os("DATABASE_URL").is_none() {
        println!("skipped: neither TESTRIG_DATABASE_URL nor DATABASE_URL names a PostgreSQL server");
        return;
    }
    // Twice: the second test gets the seeds back although the first deleted some.
    seeded();
    seeded();
}

#[testrig::test]
#[databases(primary(migrations = "tests/migrations/users", fixtures("users")), analytics(migrations = false))]
async fn a_named_set_of_databases_each_from_its_own_recipe(dbs: &testrig::db::Databases) {
    assert_eq!(dbs.names(), ["primary", "analytics"]);
    let primary = dbs.get("primary").any();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(primary).await.unwrap();
    assert_eq!(users, 2);
    let analytics = dbs.get("analytics").any();
    assert!(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(analytics).await.is_err(), "analytics has no tables");
    assert_ne!(dbs.get("primary").name(), dbs.get("analytics").name());
    let unknown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dbs.get("nope").url().len()));
    let message = unknown.unwrap_err();
    assert_eq!(message.downcast_ref::<String>().unwrap(), "unknown database `nope`: this test has primary, analytics");
}

/// A connection kept past the test (here in a static) cannot hang teardown: the pool's close
/// is bounded, the test fails saying where such connections hide, and the database is kept.
#[test]
fn a_connection_kept_past_the_test_fails_it_within_the_bound() {
    static KEPT: std::sync::Mutex<Option<sqlx::pool::PoolConnection<sqlx::Sqlite>>> = std::sync::Mutex::new(None);
    #[testrig::test]
    #[database(migrations = false)]
    async fn keeps_one(pool: &SqlitePool) {
        *KEPT.lock().unwrap() = Some(pool.acquire().await.unwrap());
    }
    let started = std::time::Instant::now();
    let failure = std::panic::catch_unwind(keeps_one).unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert!(message.contains("a connection of the test's SqlitePool was still held 5s after the test"), "{message}");
    assert!(message.contains("a pool or connection kept in a static"), "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "teardown waited {:?}", started.elapsed());
    // Its runtime is gone: returning it to the pool would need one.
    std::mem::forget(KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
}

/// One fixture configured twice under two spellings (the macro compares spellings): the
/// test fails before any setup, naming the fixture, instead of one of the two winning.
#[test]
fn a_fixture_given_options_twice_fails_naming_it() {
    #[testrig::test]
    #[database]
    #[with(testrig::db::Database = testrig::db::DatabaseOptions::default())]
    async fn keeps_neither(_db: &Database) {
        unreachable!("no setup runs");
    }
    let failure = std::panic::catch_unwind(keeps_neither).unwrap_err();
    let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("fixture `Database` is given options twice"), "{message}");
    assert!(message.contains("give them once"), "{message}");
}
