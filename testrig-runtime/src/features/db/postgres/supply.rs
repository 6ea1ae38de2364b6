//! Where a test database comes from and goes back to: this process's free list of reset
//! databases, a gone process's clean ones (adopted), or a new clone of the template; and the
//! one way a statement reaches a test database, on its kept connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sqlx::Connection;

use super::connections::{open_keeper, Keeper};
use super::liveness::owner_id;
use super::names::TestDatabaseName;
use super::pooled::{take, Pooled};
use super::server::{admin, drop_database, execute, require_url, with_database};
use super::template::Template;
use super::{reap, reset};
use crate::features::db::DbError;

/// This process's databases of passed tests, reset for the next test to take.
static FREE: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());

pub(super) fn give_back(pooled: Pooled) {
    FREE.lock().unwrap_or_else(PoisonError::into_inner).push(pooled);
}

/// A pooled database for `template`, marked taken, with its kept connection if it has one.
/// One that someone dropped or whose keeper broke is dropped and the next one tried: the
/// caller then makes a new database, no error. One adopted from a gone process is checked and
/// reset again first, unless it was sealed (then the adoption marked it taken, and it has no
/// connection yet): that process's last test may have left a session that wrote after its
/// reset.
pub(super) async fn take_pooled(url: &str, template: &Template) -> Option<(String, Option<Keeper>)> {
    loop {
        let (Pooled { name, keeper, .. }, check) = match take(&FREE, &template.name) {
            Some(pooled) => (pooled, None),
            None => match reap::adopt(url, &template.name).await? {
                (pooled, true) => return Some((pooled.name, None)),
                (pooled, false) => (pooled, Some(reset::check(&template.check, &template.facts))),
            },
        };
        let sql = match check {
            Some(_) => reset::reset_sql(&template.name, &template.facts, &name) + &reset::taken_sql(&name),
            None => reset::taken_sql(&name),
        };
        if let Ok(keeper) = on_database(with_database(url, &name), keeper, check, sql).await {
            return Some((name, Some(keeper)));
        }
        let _ = drop_databases(std::slice::from_ref(&name)).await;
    }
}

/// Whether the database cannot be reused, which is no failure of the test: the reset refused
/// it (the test changed its schema), or a new connection to it was refused because the test
/// changed who may connect (`REVOKE CONNECT`, `CONNECTION LIMIT`, `ALLOW_CONNECTIONS false`).
pub(super) fn not_reusable(error: &sqlx::Error) -> bool {
    let code = error.as_database_error().and_then(|error| error.code());
    // insufficient_privilege, too_many_connections, object_not_in_prerequisite_state.
    code.is_some_and(|code| matches!(&*code, reset::SCHEMA_CHANGED | "42501" | "53300" | "55000"))
}

/// Runs `sql` on one test database through its kept connection, or through a new one when
/// there is none or the kept one was cut (a server restart, `pg_terminate_backend`): the
/// database itself is fine then, and a new connection becomes its keeper. A refused reset
/// (the schema changed) is final, and so is a refused connection.
pub(super) async fn on_database(
    url: String,
    keeper: Option<Keeper>,
    check: Option<reset::Check>,
    sql: String,
) -> Result<Keeper, sqlx::Error> {
    if let Some(keeper) = keeper {
        match keeper.execute(check.clone(), sql.clone()).await {
            Ok(keeper) => return Ok(keeper),
            Err(error) if not_reusable(&error) => return Err(error),
            Err(_) => {}
        }
    }
    open_keeper(&url).await?.execute(check, sql).await
}

pub(super) async fn create(url: &str, owner: u32, template: &str, label: &str) -> Result<String, DbError> {
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

/// A database for `template`, marked taken, with its kept connection if it has one: a free or
/// adopted one, else a new clone (then connected to, and marked).
pub(super) async fn acquire(url: &str, template: &Template, label: &str) -> Result<(String, Option<Keeper>), DbError> {
    if let Some(taken) = take_pooled(url, template).await {
        return Ok(taken);
    }
    let name = create(url, owner_id(url).await?, &template.name, label).await?;
    match on_database(with_database(url, &name), None, None, reset::taken_sql(&name)).await {
        Ok(keeper) => Ok((name, Some(keeper))),
        Err(error) => {
            let _ = drop_databases(std::slice::from_ref(&name)).await;
            Err(super::server::server_error(format!("cannot connect to the new database {name}"))(error))
        }
    }
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
