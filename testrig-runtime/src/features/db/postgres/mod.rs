//! The PostgreSQL backend, used when `TESTRIG_DATABASE_URL` names a server.
//!
//! Each schema is migrated once into a template database ([`template`]); a test gets a
//! database cloned from it (`CREATE DATABASE .. TEMPLATE`), or — far cheaper — one a passed
//! test handed back, emptied ([`reset`]), with its connection still open ([`connections`]).
//! Each process proves itself alive to the server ([`liveness`]); databases whose owner is
//! gone are reaped, or adopted by a later process as it needs them ([`reap`]).

mod connections;
mod liveness;
mod reap;
mod reset;
mod template;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sqlx::postgres::PgConnection;
use sqlx::Connection;

use crate::features::db::recipe::Recipe;
use crate::features::db::DbError;
use connections::Keeper;
use reap::TestDatabaseName;
use template::Template;

/// The variables naming the server, in the order they are read: ours, then sqlx::test's.
pub(crate) const URL_VARIABLES: &[&str] = &["TESTRIG_DATABASE_URL", "DATABASE_URL"];

/// The server URL test databases are made on: `TESTRIG_DATABASE_URL`, else `DATABASE_URL`.
pub(crate) fn url() -> Option<&'static str> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        URL_VARIABLES
            .iter()
            .find_map(|variable| std::env::var(variable).ok().filter(|url| !url.is_empty()))
            .map(|url| without_tls_on_loopback(&url))
    })
    .as_deref()
}

/// Whether tests that work on either backend should use PostgreSQL: only when
/// `TESTRIG_DATABASE_URL` asks for it (an app's `DATABASE_URL`, set for `sqlx::query!`, does not).
pub(crate) fn requested() -> bool {
    std::env::var_os("TESTRIG_DATABASE_URL").is_some_and(|url| !url.is_empty())
}

/// The server URL, or the error naming both variables.
pub(crate) fn require_url() -> Result<&'static str, DbError> {
    let url = url().ok_or(DbError::NoUrl { backend: "PostgreSQL", variables: URL_VARIABLES })?;
    check_scheme(url)?;
    Ok(url)
}

/// `url` with `sslmode=disable` when it names this machine and no `sslmode`: encryption
/// protects nothing on loopback, and a TLS handshake per connection tripled the time per test
/// here (174 vs 53 ms, benches/compare_db.sh). An explicit `sslmode` is kept.
fn without_tls_on_loopback(url: &str) -> String {
    let rest = url.find("://").map_or(url, |i| &url[i + 3..]);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback || url.contains("sslmode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// Any other scheme is a mistake (sqlx would still try it as PostgreSQL): said before any
/// connection, naming only the scheme, never the rest, which may hold a password.
fn check_scheme(url: &str) -> Result<(), DbError> {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme);
    if matches!(scheme, Some("postgres" | "postgresql")) {
        return Ok(());
    }
    let found = match scheme {
        Some(scheme) if scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            format!("the scheme `{scheme}`")
        }
        _ => "no scheme".to_owned(),
    };
    Err(DbError::Database {
        what: "TESTRIG_DATABASE_URL (or DATABASE_URL) is not a PostgreSQL URL".to_owned(),
        cause: format!("it must start with postgres:// or postgresql:// (found {found})"),
    })
}

fn server_error(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> DbError {
    let what = what.into();
    move |error| DbError::Database { what, cause: error.to_string() }
}

async fn admin(url: &str) -> Result<PgConnection, DbError> {
    match within_connect_timeout(url, PgConnection::connect(url)).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(server_error(
            "cannot connect to the PostgreSQL server in TESTRIG_DATABASE_URL (or DATABASE_URL)",
        )(error)),
        Err(timed_out) => Err(timed_out),
    }
}

/// How long a connection to the server may take: `TESTRIG_CONNECT_TIMEOUT` seconds, 5 by
/// default. A server that accepts and never answers (or a stopped postmaster) would
/// otherwise hang setup forever.
pub(crate) fn connect_timeout() -> std::time::Duration {
    static TIMEOUT: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *TIMEOUT.get_or_init(|| {
        let seconds = std::env::var("TESTRIG_CONNECT_TIMEOUT").ok().and_then(|s| s.trim().parse::<f64>().ok());
        std::time::Duration::from_secs_f64(seconds.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(5.0))
    })
}

/// `connecting` bounded by [`connect_timeout`]; past it, an error naming the server (never
/// its password) and how to wait longer.
pub(crate) async fn within_connect_timeout<T>(
    url: &str,
    connecting: impl std::future::Future<Output = T>,
) -> Result<T, DbError> {
    let limit = connect_timeout();
    tokio::time::timeout(limit, connecting).await.map_err(|_| DbError::Database {
        what: format!("the PostgreSQL server at {} did not answer within {:?}", server_address(url), limit),
        cause: "is it running and reachable? (TESTRIG_CONNECT_TIMEOUT=<seconds> waits longer)".into(),
    })
}

/// `host:port` of a server URL, for messages: no user, no password, no database.
pub(crate) fn server_address(url: &str) -> String {
    let rest = url.find("://").map_or(url, |i| &url[i + 3..]);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host_port.contains(':') || host_port.starts_with('[') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    }
}

/// `url` with its database replaced by `database`.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let (head, tail) = url.split_at(start);
    let path_start = tail.find('/').unwrap_or(tail.len());
    let query_start = tail[path_start..].find('?').map_or(tail.len(), |i| path_start + i);
    format!("{head}{}/{database}{}", &tail[..path_start], &tail[query_start..])
}

async fn execute(admin: &mut PgConnection, sql: &str) -> Result<(), DbError> {
    crate::features::db::sql::run_on(admin, sql)
        .await
        .map_err(server_error(format!("`{}` failed", sql.split(" WITH").next().unwrap_or(sql))))
}

/// A database of a passed test, reset to its template's state, for the next test to take.
/// Left over at exit, a later process adopts it when it needs one (see [`reap`]).
struct Pooled {
    template: String,
    name: String,
    /// Open since an earlier test; `None` for a database adopted from a process that is gone.
    keeper: Option<Keeper>,
}

static FREE: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());

fn give_back(pooled: Pooled) {
    FREE.lock().unwrap_or_else(PoisonError::into_inner).push(pooled);
}

/// One database for `template` from `list` (this process's free ones, or a gone process's).
fn take(list: &Mutex<Vec<Pooled>>, template: &str) -> Option<Pooled> {
    let mut list = list.lock().unwrap_or_else(PoisonError::into_inner);
    list.iter().position(|pooled| pooled.template == template).map(|i| list.swap_remove(i))
}

/// One test's database on the server.
pub(crate) struct TestDatabase {
    pub(crate) name: String,
    template: Template,
    /// The connection that marked it taken, kept to reset it.
    keeper: Option<Keeper>,
}

/// A fresh database for one test: a reset one from the free list, or a new clone of the
/// template. Its URL is [`TestDatabase::url`].
pub(crate) async fn fresh(recipe: &'static Recipe, label: &str) -> Result<TestDatabase, DbError> {
    let url = require_url()?;
    let owner = liveness::owner_id(url).await?;
    reap::reap_once(url).await;
    let template = template::template(url, recipe).await?;
    let database = match take_pooled(url, &template.name).await {
        Some((name, keeper)) => TestDatabase { name, template, keeper: Some(keeper) },
        None => TestDatabase { name: create(url, owner, &template.name, label).await?, template, keeper: None },
    };
    Ok(database)
}

impl TestDatabase {
    /// The URL of this database on the server (with the server URL's credentials).
    pub(crate) fn url(&self) -> String {
        url().map_or_else(String::new, |url| with_database(url, &self.name))
    }
}

/// A pooled database for `template`, marked taken. One that someone dropped or whose keeper
/// broke is dropped and the next one tried: the caller then makes a new database, no error.
async fn take_pooled(url: &str, template: &str) -> Option<(String, Keeper)> {
    loop {
        let Pooled { name, keeper, .. } = match take(&FREE, template) {
            Some(pooled) => pooled,
            None => reap::adopt(url, template).await?,
        };
        if let Ok(keeper) = on_database(with_database(url, &name), keeper, None, reset::taken_sql(&name)).await {
            return Some((name, keeper));
        }
        let _ = drop_databases(std::slice::from_ref(&name)).await;
    }
}

/// Whether the reset refused the database because the test changed its schema.
fn schema_changed(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|error| error.code()).is_some_and(|code| code == reset::SCHEMA_CHANGED)
}

/// Runs `sql` on one test database through its kept connection, or through a new one when
/// there is none or the kept one was cut (a server restart, `pg_terminate_backend`): the
/// database itself is fine then, and a new connection becomes its keeper. A refused reset
/// (the schema changed) is final.
async fn on_database(
    url: String,
    keeper: Option<Keeper>,
    check: Option<reset::Check>,
    sql: String,
) -> Result<Keeper, sqlx::Error> {
    if let Some(keeper) = keeper {
        match keeper.execute(check.clone(), sql.clone()).await {
            Ok(keeper) => return Ok(keeper),
            Err(error) if schema_changed(&error) => return Err(error),
            Err(_) => {}
        }
    }
    open_keeper(&url).await?.execute(check, sql).await
}

/// A new keeper connected to `url` within [`connect_timeout`]; past it, an I/O error saying
/// so, naming the server.
async fn open_keeper(url: &str) -> Result<Keeper, sqlx::Error> {
    let opened = within_connect_timeout(url, Keeper::open(url.to_owned())).await;
    opened.map_err(|timed_out| {
        sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, timed_out.to_string()))
    })?
}

async fn create(url: &str, owner: u32, template: &str, label: &str) -> Result<String, DbError> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let name = TestDatabaseName::make(owner, &NEXT.fetch_add(1, Ordering::Relaxed).to_string(), label);
    let mut admin = admin(url).await?;
    // The server's default strategy: WAL_LOG from PostgreSQL 15, which measured faster than
    // FILE_COPY here (132 vs 176 ms to create, 21 vs 89 ms to drop: benches/compare_db.sh);
    // older servers know only the file copy and reject the STRATEGY clause.
    let created = execute(&mut admin, &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).await;
    let _ = admin.close().await;
    created.map(|()| name)
}

/// Hands a passed test's databases back once the test's pools are closed: reset and kept for
/// the next test when their template allows it, dropped otherwise.
pub(crate) async fn release(databases: Vec<TestDatabase>) -> Result<(), DbError> {
    let url = require_url()?;
    // All at once: each reset is a round trip on its own database.
    let mut tasks = tokio::task::JoinSet::new();
    for TestDatabase { name, template, keeper } in databases {
        let url = with_database(url, &name);
        tasks.spawn(async move {
            let reset = on_database(
                url,
                keeper,
                Some(reset::check(&template.facts)),
                reset::reset_sql(&template.name, &template.facts, &name),
            )
            .await;
            (name, template, reset)
        });
    }
    let mut to_drop = Vec::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((name, template, Ok(keeper))) => {
                give_back(Pooled { template: template.name, name, keeper: Some(keeper) })
            }
            // The test changed the schema: not reusable, and no failure of the test.
            Ok((name, _, Err(error))) if schema_changed(&error) => to_drop.push(name),
            Ok((name, _, Err(error))) => {
                first_error.get_or_insert(server_error(format!("cannot reset {name}"))(error));
                to_drop.push(name);
            }
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    let dropped = drop_databases(&to_drop).await;
    first_error.map_or(dropped, Err)
}

/// Drops one database, ending its sessions first. An autovacuum worker on it cannot be ended
/// so by a role without `pg_signal_backend` (the server then refuses the whole statement);
/// a plain `DROP` after that cancels autovacuum itself and waits for it.
async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), DbError> {
    if execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.is_ok() {
        return Ok(());
    }
    execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\"")).await
}

/// Marks a failed test's databases kept for inspection: no reaper drops them during this run
/// (nextest's `NEXTEST_RUN_ID`) or within [`reap::KEPT_FOR`] after. Best effort: the test
/// has failed already, and an unmarked one is still kept while this process runs.
pub(crate) async fn mark_kept(names: &[String]) {
    let Ok(url) = require_url() else { return };
    let Ok(mut admin) = admin(url).await else { return };
    let mark = reap::kept_mark();
    for name in names {
        let _ = execute(&mut admin, &format!("COMMENT ON DATABASE \"{name}\" IS {}", reset::literal(&mark))).await;
    }
    let _ = admin.close().await;
}

/// Drops test databases; every one is attempted, the first failure is returned.
pub(crate) async fn drop_databases(names: &[String]) -> Result<(), DbError> {
    if names.is_empty() {
        return Ok(());
    }
    let url = require_url()?;
    let mut admin = admin(url).await?;
    let mut first_error = None;
    for name in names {
        if let Err(error) = drop_database(&mut admin, name).await {
            first_error.get_or_insert(error);
        }
    }
    let _ = admin.close().await;
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_are_taken() {
        assert!(check_scheme("postgres://u:p@127.0.0.1/db").is_ok());
        assert!(check_scheme("postgresql://u:p@127.0.0.1/db").is_ok());
        let wrong = check_scheme("mysql://u:secret@127.0.0.1/db").unwrap_err().to_string();
        assert!(wrong.contains("found the scheme `mysql`") && !wrong.contains("secret"), "{wrong}");
        let none = check_scheme("u:secret@host").unwrap_err().to_string();
        assert!(none.contains("found no scheme") && !none.contains("secret"), "{none}");
    }

    #[test]
    fn server_addresses_name_no_credentials() {
        assert_eq!(server_address("postgres://u:secret@db.internal:6543/postgres?x=1"), "db.internal:6543");
        assert_eq!(server_address("postgres://u:secret@db.internal/postgres"), "db.internal:5432");
        assert_eq!(server_address("postgres://[::1]:5432/db"), "[::1]:5432");
    }

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(with_database("postgres://u:p@h:5432/postgres", "t1"), "postgres://u:p@h:5432/t1");
        assert_eq!(with_database("postgres://u@h/postgres?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }

    #[test]
    fn loopback_urls_skip_tls_unless_they_ask_for_it() {
        assert_eq!(
            without_tls_on_loopback("postgres://u:p@127.0.0.1:5432/db"),
            "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"
        );
        assert_eq!(
            without_tls_on_loopback("postgres://localhost/db?x=1"),
            "postgres://localhost/db?x=1&sslmode=disable"
        );
        assert_eq!(without_tls_on_loopback("postgres://u@[::1]:5432/db"), "postgres://u@[::1]:5432/db?sslmode=disable");
        assert_eq!(
            without_tls_on_loopback("postgres://u@127.0.0.1/db?sslmode=require"),
            "postgres://u@127.0.0.1/db?sslmode=require"
        );
        assert_eq!(without_tls_on_loopback("postgres://u:p@db.example:5432/db"), "postgres://u:p@db.example:5432/db");
        assert_eq!(
            without_tls_on_loopback("postgres://u:p@127.0.0.1.example/db"),
            "postgres://u:p@127.0.0.1.example/db"
        );
    }
}
