//! The server test databases are made on: which one (`TESTRIG_DATABASE_URL`, else
//! `DATABASE_URL`), how long reaching it may take, and the statements every part of the
//! backend runs on it through an admin connection.

use sqlx::postgres::PgConnection;
use sqlx::Connection;

use crate::features::db::DbError;

/// The variables naming the server, in the order they are read: ours, then sqlx::test's.
pub(crate) const URL_VARIABLES: &[&str] = &["TESTRIG_DATABASE_URL", "DATABASE_URL"];

/// The server URL test databases are made on: `TESTRIG_DATABASE_URL`, else `DATABASE_URL`,
/// else the run's throwaway server's (started the first time it is asked for, on Linux, when
/// PostgreSQL's server binaries are installed).
fn server() -> &'static Result<String, DbError> {
    static URL: std::sync::OnceLock<Result<String, DbError>> = std::sync::OnceLock::new();
    URL.get_or_init(|| match given() {
        Some(url) => Ok(without_tls_on_loopback(&url)),
        #[cfg(any(target_os = "linux", target_os = "android"))]
        None => super::throwaway::url()?.ok_or(DbError::NoUrl { backend: "PostgreSQL", variables: URL_VARIABLES }),
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        None => Err(DbError::NoUrl { backend: "PostgreSQL", variables: URL_VARIABLES }),
    })
}

/// The URL the environment names, if any.
fn given() -> Option<String> {
    URL_VARIABLES.iter().find_map(|variable| std::env::var(variable).ok().filter(|url| !url.is_empty()))
}

/// Begins finding the server on a thread of its own, once per process, when no URL names
/// it: a throwaway server takes seconds to start (`initdb`, the start), which the test's other
/// fixtures then set up beside; whatever needs the server first waits for it there.
pub(crate) fn find_early() {
    if given().is_some() {
        return;
    }
    static BEGUN: std::sync::Once = std::sync::Once::new();
    BEGUN.call_once(|| {
        // Named after the test's thread (libtest's: the test's name) and working for it: under
        // nextest the run's server is its keeper's, and a keeper runs again the test its
        // starter's thread names; unnamed like an unnamed starter (the keeper then runs the
        // process's own arguments again: a made-up name would match no test).
        let mut thread = std::thread::Builder::new();
        if let Some(test) = std::thread::current().name() {
            thread = thread.name(test.to_owned());
        }
        let _ = thread.spawn(|| {
            crate::features::run_scope::for_this_test(server);
        });
    });
}

/// The server URL, if there is a server.
pub(crate) fn url() -> Option<&'static str> {
    server().as_deref().ok()
}

/// The server URL, or why there is none: no URL and no binaries (the error names both), or
/// the throwaway server could not start.
pub(crate) fn require_url() -> Result<&'static str, DbError> {
    let url = server().as_deref().map_err(Clone::clone)?;
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

pub(super) fn server_error(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> DbError {
    let what = what.into();
    move |error| DbError::Database { what, cause: error.to_string() }
}

pub(super) async fn admin(url: &str) -> Result<PgConnection, DbError> {
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

pub(super) async fn execute(admin: &mut PgConnection, sql: &str) -> Result<(), DbError> {
    crate::features::db::sql::run_on(admin, sql)
        .await
        .map_err(server_error(format!("`{}` failed", sql.split(" WITH").next().unwrap_or(sql))))
}

/// Drops one database, ending its sessions first. An autovacuum worker on it cannot be ended
/// so by a role without `pg_signal_backend` (the server then refuses the whole statement);
/// a plain `DROP` after that cancels autovacuum itself and waits for it. A test that made its
/// database a template (`IS_TEMPLATE true`) does not keep it from being dropped.
pub(super) async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), DbError> {
    if execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.is_ok() {
        return Ok(());
    }
    // Refused for a template ("cannot drop a template database"): not one once this runs.
    let _ = execute(admin, &format!("ALTER DATABASE \"{name}\" IS_TEMPLATE false")).await;
    if execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.is_ok() {
        return Ok(());
    }
    execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\"")).await
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
