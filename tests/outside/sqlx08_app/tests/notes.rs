//! The app's tests on sqlx 0.8: the pools are the app's own sqlx 0.8 types, so they go
//! straight into its functions.

use sqlx::{PgPool, SqlitePool};
use sqlx08_app::{add_note, notes, pg_notes};

#[testrig::test]
#[database(fixtures("notes"))]
async fn lists_the_seeded_notes(pool: &SqlitePool) {
    assert_eq!(notes(pool).await.unwrap(), ["first", "second"]);
}

#[testrig::test]
#[database(fixtures("notes"))]
async fn adds_after_the_seeds(pool: &SqlitePool) {
    assert_eq!(add_note(pool, "third").await.unwrap(), 3);
    assert_eq!(notes(pool).await.unwrap().len(), 3);
}

#[testrig::test]
async fn migrated_without_seeds(pool: &SqlitePool) {
    assert_eq!(notes(pool).await.unwrap(), Vec::<String>::new());
}

/// Needs a server: `TESTRIG_DATABASE_URL` (the suite runs it only when that is set).
#[testrig::test]
#[database(fixtures("notes"))]
async fn on_postgres(pool: &PgPool) {
    assert_eq!(pg_notes(pool).await.unwrap(), ["first", "second"]);
    sqlx::query("INSERT INTO notes (id, body) VALUES (3, 'third')").execute(pool).await.unwrap();
    assert_eq!(pg_notes(pool).await.unwrap().len(), 3);
}

/// More tests on the server, so a run of several processes at once (`nextest -j 4`) shares
/// it: each starts from the seeds whatever the others wrote.
#[testrig::test]
#[database(fixtures("notes"))]
async fn on_postgres_each_starts_from_the_seeds(pool: &PgPool) {
    assert_eq!(pg_notes(pool).await.unwrap(), ["first", "second"]);
    sqlx::query("DELETE FROM notes").execute(pool).await.unwrap();
}

#[testrig::test]
#[database(fixtures("notes"))]
async fn on_postgres_without_the_first(pool: &PgPool) {
    sqlx::query("DELETE FROM notes WHERE id = 1").execute(pool).await.unwrap();
    assert_eq!(pg_notes(pool).await.unwrap(), ["second"]);
}

#[testrig::test]
async fn on_postgres_migrated_only(pool: &PgPool) {
    assert_eq!(pg_notes(pool).await.unwrap(), Vec::<String>::new());
    sqlx::query("INSERT INTO notes (id, body) VALUES (9, 'ninth')").execute(pool).await.unwrap();
}

/// Code beside a test reaches the test's server by `testrig::db::server_url()` (the URL set,
/// or the throwaway server's): the test's database is there.
#[testrig::test]
#[database(fixtures("notes"))]
async fn on_postgres_beside_the_test(pool: &PgPool) {
    use sqlx::Connection;
    let url = testrig::db::server_url().unwrap();
    let mut beside = sqlx::PgConnection::connect(url).await.unwrap();
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let there: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut beside)
        .await
        .unwrap();
    assert!(there, "{name} is not on the server testrig::db::server_url() names");
    beside.close().await.unwrap();
}

/// A test called from an async test runs on a thread of its own (the caller's runtime cannot
/// block on another) and finds its server early from there too: under nextest with no URL, the
/// run's server is a keeper's, which runs again the test its starter's thread names.
#[testrig::test]
async fn on_postgres_called_from_an_async_test() {
    #[testrig::test]
    #[database(fixtures("notes"))]
    async fn called(_first: &ServerStarting, pool: &PgPool) {
        assert_eq!(pg_notes(pool).await.unwrap(), ["first", "second"]);
    }
    called();
}

/// Set up before the called test's database: with no URL, waits (30 s at most) until the
/// early start has begun making the throwaway server (its directory, or under nextest its
/// keeper's run directory) in the temp dir, so the early start is what starts it.
struct ServerStarting;

#[testrig::fixture]
impl ServerStarting {
    fn setup() -> Result<Self, String> {
        // A URL in either variable names the server: nothing starts.
        let given = |name: &str| std::env::var_os(name).is_some_and(|url| !url.is_empty());
        if given("TESTRIG_DATABASE_URL") || given("DATABASE_URL") {
            return Ok(ServerStarting);
        }
        let started = std::time::Instant::now();
        loop {
            let begun =
                std::fs::read_dir(std::env::temp_dir()).map_err(|error| error.to_string())?.flatten().any(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    name.starts_with("testrig-pg-") || name.starts_with("testrig-run-")
                });
            if begun {
                return Ok(ServerStarting);
            }
            if started.elapsed() > std::time::Duration::from_secs(30) {
                return Err("no server start began while this fixture was set up".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Once per backend (`on_every_backend::sqlite`, `on_every_backend::postgres`), as the README
/// writes it; each case takes its backend's pool from the database.
#[testrig::test]
#[database(backends(sqlite, postgres), fixtures("notes"))]
async fn on_every_backend(db: &testrig::db::Database) {
    let found = match db.backend() {
        testrig::db::Backend::Sqlite => notes(db.sqlite()).await.unwrap(),
        testrig::db::Backend::Postgres => pg_notes(db.postgres()).await.unwrap(),
    };
    assert_eq!(found, ["first", "second"]);
}
