//! `#[sqlx::test]`'s grammar and parameter shapes, as sqlx reads them, on
//! `#[testrig::database(..)]`: the port is that one token. The pool by value (a clone of the
//! test's pool, the exact reset unchanged), `PoolConnection`, `(PoolOptions, ConnectOptions)`,
//! `migrator = ".."`, `fixtures(path = .., scripts(..))`, a fixture named by its file, and a test
//! of no parameters, which gets no database.

#![allow(unnameable_test_items)]

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, Sqlite, SqlitePool};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("tests/migrations/users");

async fn names(pool: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM users ORDER BY id").fetch_all(pool).await.unwrap()
}

// `pool: SqlitePool`, as sqlx::test hands it: by value, and the bodies as they were.
#[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
async fn the_pool_by_value(pool: SqlitePool) {
    assert_eq!(names(&pool).await, ["alice", "bob"]);
    let app_state = pool.clone();
    sqlx::query("DELETE FROM users WHERE id = 1").execute(&app_state).await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(row.get::<i64, _>("n"), 1);
}

/// The same test again: what the other did is gone (a clone of the pool is the test's pool,
/// reset exactly after the test like a borrowed one).
#[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
async fn the_pool_by_value_again(pool: SqlitePool) {
    assert_eq!(names(&pool).await, ["alice", "bob"]);
    sqlx::query("DELETE FROM users WHERE id = 2").execute(&pool).await.unwrap();
}

/// A fixture of the app's that takes the pool, and the test taking it by value too: both are
/// the test's one database.
pub struct App {
    pool: SqlitePool,
}

#[testrig::fixture]
impl App {
    fn setup(pool: &SqlitePool) -> Self {
        App { pool: pool.clone() }
    }
}

#[testrig::test]
#[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
async fn by_value_beside_a_fixture_using_it(app: &App, pool: SqlitePool) {
    sqlx::query("INSERT INTO users (id, name) VALUES (9, 'zed')").execute(&pool).await.unwrap();
    assert_eq!(names(&app.pool).await, ["alice", "bob", "zed"]);
}

#[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
async fn a_pool_connection(mut conn: PoolConnection<Sqlite>) {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(n, 2);
}

/// `(PoolOptions, ConnectOptions)`: a pool of the test's own, to the test's database.
#[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
async fn pool_options_and_connect_options(options: SqlitePoolOptions, connect: SqliteConnectOptions) {
    let pool = options.max_connections(3).connect_with(connect).await.unwrap();
    assert_eq!(names(&pool).await, ["alice", "bob"]);
    pool.close().await;
}

#[testrig::database(migrator = "MIGRATOR", fixtures("users"))]
async fn an_apps_migrator(pool: SqlitePool) {
    assert_eq!(names(&pool).await, ["alice", "bob"]);
}

// sqlx's fixture forms: `path = "dir", scripts(..)` (relative to this file, `.sql` added), a
// file by its path, and several `fixtures(..)` adding up in order.
#[testrig::database(
    migrations = "tests/migrations/users",
    fixtures("users"),
    fixtures(path = "seeds", scripts("carol", "dave.sql")),
    fixtures("fixtures/posts.sql")
)]
async fn sqlx_fixture_forms(pool: SqlitePool) {
    assert_eq!(names(&pool).await, ["alice", "bob", "carol", "dave"]);
    let posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts").fetch_one(&pool).await.unwrap();
    assert_eq!(posts, 1);
}

// No parameter: a plain async test, as `#[sqlx::test]` makes it, no database.
#[testrig::database]
async fn no_parameters_no_database() {
    assert!(testrig::Scope::current().is_some());
    tokio::task::yield_now().await;
}

/// A test opening several connections at once from the test's pool is not starved.
#[testrig::database(migrations = "tests/migrations/users")]
async fn several_connections_at_once(pool: SqlitePool) {
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(pool.acquire().await.unwrap());
    }
    assert_eq!(held.len(), 5);
}

/// The same shapes on PostgreSQL (`TESTRIG_DATABASE_URL`, else sqlx::test's `DATABASE_URL`).
#[test]
fn the_shapes_on_postgres() {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    use sqlx::{PgPool, Postgres};

    #[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
    async fn by_value(pool: PgPool) {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&pool).await.unwrap();
        assert_eq!(n, 2);
        // Changed here, put back by the exact reset for the next test.
        sqlx::query("DELETE FROM users").execute(&pool).await.unwrap();
    }

    #[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
    async fn connection(mut conn: PoolConnection<Postgres>) {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(n, 2);
    }

    #[testrig::database(migrations = "tests/migrations/users", fixtures("users"))]
    async fn options(options: PgPoolOptions, connect: PgConnectOptions) {
        let pool = options.connect_with(connect).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&pool).await.unwrap();
        assert_eq!(n, 2);
        pool.close().await;
    }

    if std::env::var_os("TESTRIG_DATABASE_URL").is_none() && std::env::var_os("DATABASE_URL").is_none() {
        println!("skipped: neither TESTRIG_DATABASE_URL nor DATABASE_URL names a PostgreSQL server");
        return;
    }
    by_value();
    by_value();
    connection();
    options();
}

/// A `#[should_panic]` test that panicked did what it should: its database is removed as a
/// passed test's is, not kept for inspection as a failed test's (nor reported as failed).
#[test]
fn a_should_panic_test_that_panics_keeps_no_database() {
    static FILE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    #[testrig::database(migrations = false)]
    #[should_panic(expected = "as it should")]
    async fn panics_as_it_should(db: &testrig::db::Database) {
        let file = db.url().trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
        assert!(std::path::Path::new(&file).exists(), "{file}");
        *FILE.lock().unwrap() = Some(file);
        panic!("as it should");
    }
    if std::env::var_os("TESTRIG_DATABASE_URL").is_some() {
        println!("skipped: the database is on the server under TESTRIG_DATABASE_URL, not a file");
        return;
    }
    assert!(std::panic::catch_unwind(panics_as_it_should).is_err());
    let file = FILE.lock().unwrap().take().unwrap();
    assert!(!std::path::Path::new(&file).exists(), "kept: {file}");
}
