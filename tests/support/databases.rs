//! What a test's databases left behind, on either backend: files on SQLite, databases on the
//! PostgreSQL server (`TESTRIG_DATABASE_URL`, or testrig's throwaway server).
#![allow(dead_code)]

use testrig::db::sqlx::{self, postgres::PgConnection, Connection};

/// The server the suite was given (`TESTRIG_DATABASE_URL`), if any: the backend-neutral
/// tests and `Cells` run on it; without it, on SQLite.
pub fn server_url() -> Option<String> {
    std::env::var("TESTRIG_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// A PostgreSQL server for the tests of the server's own mechanics: the one the suite was
/// given, else testrig's throwaway server (`testrig::db::server_url`, started by the first
/// test asking, where PostgreSQL's server binaries are installed). `None` with neither; a
/// throwaway server that fails to start fails the test.
pub fn postgres_url() -> Option<String> {
    if let Some(url) = server_url() {
        return Some(url);
    }
    match testrig::db::server_url() {
        Ok(url) => Some(url.to_owned()),
        Err(testrig::db::DbError::NoUrl { .. }) => None,
        Err(other) => panic!("no PostgreSQL server: {other}"),
    }
}

/// Why a test of the server's mechanics skips: [`postgres_url`] found no server.
pub const NO_POSTGRES: &str =
    "no PostgreSQL server: TESTRIG_DATABASE_URL is not set and PostgreSQL's server binaries are not installed";

/// `url` naming database `name` instead, its parameters kept (a throwaway server's socket
/// directory is one: `?host=/tmp/..`).
pub fn with_database(url: &str, name: &str) -> String {
    let start = url.find("://").map_or(0, |at| at + 3);
    let authority_end = url[start..].find(['/', '?']).map_or(url.len(), |at| start + at);
    let query = url[authority_end..].find('?').map_or("", |at| &url[authority_end + at..]);
    format!("{}/{name}{query}", &url[..authority_end])
}

/// testrig's reaper lock (its advisory lock of one reaper at a time), taken and released.
const TAKE_REAPER_LOCK: &str = "SELECT pg_advisory_lock(2119630851, 0)";
const RELEASE_REAPER_LOCK: &str = "SELECT pg_advisory_unlock(2119630851, 0)";

/// Runs `work` with a connection to the server's admin database, outside any test.
fn with_admin<T>(url: &str, work: impl AsyncFnOnce(&mut PgConnection) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut admin = PgConnection::connect(url).await.unwrap();
        work(&mut admin).await
    })
}

/// Runs `statements` on the server's admin database, then returns the names of the databases
/// among `names` that exist.
///
/// The statements run holding testrig's reaper lock, so no test process reaping meanwhile sees
/// the databases they make half-made (created, not yet commented).
pub fn on_server(url: &str, statements: Vec<String>, names: &[String]) -> Vec<String> {
    with_admin(url, async |admin| {
        let reaper_lock = !statements.is_empty();
        if reaper_lock {
            sqlx::query(TAKE_REAPER_LOCK).execute(&mut *admin).await.unwrap();
        }
        for statement in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut *admin)
                .await
                .unwrap_or_else(|error| panic!("admin statement failed: {error}"));
        }
        if reaper_lock {
            sqlx::query(RELEASE_REAPER_LOCK).execute(&mut *admin).await.unwrap();
        }
        let rows: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname = ANY($1)")
            .bind(names)
            .fetch_all(&mut *admin)
            .await
            .unwrap();
        rows.into_iter().map(|(name,)| name).collect()
    })
}

/// The databases of this role on the server whose names match the SQL `LIKE` pattern
/// (another role's, as `testrig_second`'s templates, cannot be cloned or dropped by this one).
pub fn like(url: &str, pattern: &str) -> Vec<String> {
    with_admin(url, async |admin| {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
        )
            .bind(pattern)
            .fetch_all(&mut *admin)
            .await
            .unwrap();
        rows.into_iter().map(|(name,)| name).collect()
    })
}

/// Ends every server process connected to `databases`, as a server restart would; with
/// `refuse_new`, new connections are refused too, as by a server that stays down.
pub fn cut_connections(url: &str, databases: &[String], refuse_new: bool) -> usize {
    with_admin(url, async |admin| {
        for database in databases.iter().filter(|_| refuse_new) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false")))
                .execute(&mut *admin)
                .await
                .unwrap();
        }
        // Waited for (5 s at most, PostgreSQL 14+): a session only told to end may still
        // answer the pool's check before its next query, which then fails.
        let ended: Vec<(bool,)> =
            sqlx::query_as("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = ANY($1)")
                .bind(databases)
                .fetch_all(&mut *admin)
                .await
                .unwrap();
        ended.len()
    })
}

/// testrig's reaper lock, held until dropped: no process reaps meanwhile (a reaper waits for
/// it), so what a test looks at is not reaped under it by another test's process.
pub struct ReaperLock {
    runtime: tokio::runtime::Runtime,
    session: Option<PgConnection>,
}

pub fn hold_reaper_lock(url: &str) -> ReaperLock {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let session = runtime.block_on(async {
        let mut session = PgConnection::connect(url).await.unwrap();
        sqlx::query(TAKE_REAPER_LOCK).execute(&mut session).await.unwrap();
        session
    });
    ReaperLock { runtime, session: Some(session) }
}

impl Drop for ReaperLock {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            // Closing the session releases the lock.
            let _ = self.runtime.block_on(session.close());
        }
    }
}

/// Waits (10 s at most) until no client is connected to any of `names`: a killed process's
/// sessions end as the server notices, which a next process must not race.
pub fn wait_unconnected(url: &str, names: &[String]) {
    with_admin(url, async |admin| {
        let started = std::time::Instant::now();
        loop {
            let (connected,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1) AND backend_type = 'client backend'",
            )
            .bind(names)
            .fetch_one(&mut *admin)
            .await
            .unwrap();
            if connected == 0 {
                return;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "{connected} sessions still on {names:?}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
}

/// Runs `work` with a connection to one database on the server.
fn in_database<T>(database: &str, work: impl AsyncFnOnce(&mut PgConnection) -> T) -> T {
    let url = postgres_url().unwrap();
    with_admin(&with_database(&url, database), work)
}

/// The number a `SELECT COUNT(*) ..` returns in one database on the server.
pub fn count_in(database: &str, sql: &str) -> i64 {
    in_database(database, async |connection| {
        let row: (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut *connection).await.unwrap();
        row.0
    })
}

/// Runs one statement in one database on the server.
pub fn run_in(database: &str, sql: &str) {
    in_database(database, async |connection| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *connection).await.unwrap();
    })
}

/// This role's databases marked clean for a template whose name starts with `template`, each
/// with whether it is sealed (allows no connection): one snapshot of the catalog, so a
/// database changing state while it is read is never listed twice.
pub fn clean_of(url: &str, template: &str) -> Vec<(String, bool)> {
    with_admin(url, async |admin| {
        sqlx::query_as(
            "SELECT datname, NOT datallowconn FROM pg_database \
             WHERE datname LIKE 'testrig\\_t\\_%' AND starts_with(shobj_description(oid, 'pg_database'), $1) \
             AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) ORDER BY datname",
        )
        .bind(format!("testrig:free:{template}"))
        .fetch_all(&mut *admin)
        .await
        .unwrap()
    })
}

/// Which of a test's database locations (`Cells::locations`) still exist.
pub fn existing(locations: &[String]) -> Vec<String> {
    match server_url() {
        Some(url) => on_server(&url, Vec::new(), locations),
        None => locations.iter().filter(|file| std::path::Path::new(file).exists()).cloned().collect(),
    }
}

/// Drops databases on the server. Not `WITH (FORCE)`: that is refused while autovacuum
/// (another role) works on a database; a plain drop cancels autovacuum, once this role's
/// sessions are ended.
pub fn drop_on_server(url: &str, names: &[String]) {
    let drops = names
        .iter()
        .flat_map(|name| {
            [
                format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND usename = current_user"
                ),
                format!("DROP DATABASE IF EXISTS \"{name}\""),
            ]
        })
        .collect();
    let left = on_server(url, drops, names);
    assert!(left.is_empty(), "cannot drop {left:?}");
}

/// Removes databases a failed test kept for inspection.
pub fn remove(locations: &[String]) {
    match server_url() {
        Some(url) => drop_on_server(&url, locations),
        None => locations.iter().for_each(|file| drop(std::fs::remove_file(file))),
    }
}

/// The comment on database `name` (empty when none).
pub fn comment_of(url: &str, name: &str) -> String {
    with_admin(url, async |admin| {
        let (comment,): (Option<String>,) =
            sqlx::query_as("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(&mut *admin)
                .await
                .unwrap();
        comment.unwrap_or_default()
    })
}

/// Everything a test could observe of the schema's state, as text: rows of every table in
/// both schemas, the materialized view, every sequence's position, the catalog's shape.
pub async fn observe(pool: &sqlx::PgPool) -> String {
    let queries = [
        "SELECT string_agg(format('%s %s %s', id, name, mood), '; ' ORDER BY id) FROM users",
        "SELECT string_agg(format('%s %s %s %s', id, user_id, amount, doubled), '; ' ORDER BY id) FROM billing.invoices",
        "SELECT string_agg(format('%s %s', id, entry), '; ' ORDER BY id) FROM billing.ledger",
        "SELECT string_agg(format('%s %s', id, what), '; ' ORDER BY id) FROM audit",
        "SELECT string_agg(format('%s %s', user_id, total), '; ' ORDER BY user_id) FROM billing.totals",
        "SELECT n::text FROM billing.invoice_count",
        "SELECT format('%s %s', last_value, is_called) FROM users_id_seq",
        "SELECT format('%s %s', last_value, is_called) FROM billing.ledger_id_seq",
        "SELECT format('%s %s', last_value, is_called) FROM audit_id_seq",
        "SELECT format('%s %s', last_value, is_called) FROM billing.invoices_id_seq",
        "SELECT string_agg(table_schema || '.' || table_name, ', ' ORDER BY table_schema, table_name) FROM information_schema.tables \
         WHERE table_schema IN ('public', 'billing')",
        "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'users'",
        "SELECT string_agg(enumlabel, ', ' ORDER BY enumsortorder) FROM pg_enum",
        "SELECT string_agg(tgname || tgenabled::text, ', ' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal",
        "SELECT string_agg(proname, ', ' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
        "SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes WHERE schemaname IN ('public', 'billing')",
        "SELECT coalesce(obj_description('users'::regclass, 'pg_class'), '-') || ' ' || coalesce(relacl::text, '-') \
         FROM pg_class WHERE oid = 'users'::regclass",
    ];
    let mut seen = String::new();
    for query in queries {
        let value: Option<String> =
            sqlx::query_scalar(query).fetch_one(pool).await.unwrap_or_else(|e| panic!("{query}: {e}"));
        seen.push_str(&value.unwrap_or_default());
        seen.push('\n');
    }
    seen
}
