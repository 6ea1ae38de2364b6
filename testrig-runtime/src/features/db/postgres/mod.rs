//! The PostgreSQL backend, used when `TESTRIG_DATABASE_URL` names a server.
//!
//! Each schema is migrated once into a template database ([`template`]); a test gets a
//! database cloned from it (`CREATE DATABASE .. TEMPLATE`), or — far cheaper — one a passed
//! test handed back, emptied ([`reset`]), with its connection still open ([`connections`]).
//! Each process proves itself alive to the server ([`liveness`]); databases whose owner is
//! gone are reaped, or adopted by a later process as it needs them ([`reap`]).
//!
//! The modules name each other one way only, and none names this file, so each reads with
//! only those below it in mind (`.ci/import_graph.py --items-of-parents` shows the graph):
//! [`server`] (which server, and the statements run on it) and [`names`] (what testrig's
//! databases are called and commented with) name no other; a [`reset`]'s check and
//! statements go in one trip to the keeper thread of [`connections`]; [`pooled`] databases
//! keep their keeper, as [`liveness`] keeps its session on one; a [`template`] build
//! records what the reset restores, and marks the template used through `liveness` before
//! looking for it; [`reap`] asks `liveness` who is gone and lists the clean databases left
//! as `pooled` ones. This file decides when each runs: the reaper once, before the first
//! template (a build never reaps).

mod connections;
mod liveness;
mod names;
mod pooled;
mod reap;
mod reset;
mod server;
mod template;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sqlx::Connection;

use crate::features::db::recipe::Recipe;
use crate::features::db::DbError;
use connections::{open_keeper, Keeper};
use names::{kept_mark, literal, TestDatabaseName};
use pooled::{take, Pooled};
use server::{admin, drop_database, execute, require_url, server_error, url, with_database};
use template::Template;

/// Whether tests that work on either backend should use PostgreSQL: only when
/// `TESTRIG_DATABASE_URL` asks for it (an app's `DATABASE_URL`, set for `sqlx::query!`, does not).
pub(crate) fn requested() -> bool {
    std::env::var_os("TESTRIG_DATABASE_URL").is_some_and(|url| !url.is_empty())
}

/// This process's databases of passed tests, reset for the next test to take.
static FREE: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());

fn give_back(pooled: Pooled) {
    FREE.lock().unwrap_or_else(PoisonError::into_inner).push(pooled);
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
    let database = match take_pooled(url, &template).await {
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
/// One adopted from a gone process is checked and reset again first: that process's last
/// test may have left a session that wrote after its reset.
async fn take_pooled(url: &str, template: &Template) -> Option<(String, Keeper)> {
    loop {
        let (Pooled { name, keeper, .. }, check) = match take(&FREE, &template.name) {
            Some(pooled) => (pooled, None),
            None => (reap::adopt(url, &template.name).await?, Some(reset::check(&template.check, &template.facts))),
        };
        let sql = match check {
            Some(_) => reset::reset_sql(&template.name, &template.facts, &name) + &reset::taken_sql(&name),
            None => reset::taken_sql(&name),
        };
        if let Ok(keeper) = on_database(with_database(url, &name), keeper, check, sql).await {
            return Some((name, keeper));
        }
        let _ = drop_databases(std::slice::from_ref(&name)).await;
    }
}

/// Whether the database cannot be reused, which is no failure of the test: the reset refused
/// it (the test changed its schema), or a new connection to it was refused because the test
/// changed who may connect (`REVOKE CONNECT`, `CONNECTION LIMIT`, `ALLOW_CONNECTIONS false`).
fn not_reusable(error: &sqlx::Error) -> bool {
    let code = error.as_database_error().and_then(|error| error.code());
    // insufficient_privilege, too_many_connections, object_not_in_prerequisite_state.
    code.is_some_and(|code| matches!(&*code, reset::SCHEMA_CHANGED | "42501" | "53300" | "55000"))
}

/// Runs `sql` on one test database through its kept connection, or through a new one when
/// there is none or the kept one was cut (a server restart, `pg_terminate_backend`): the
/// database itself is fine then, and a new connection becomes its keeper. A refused reset
/// (the schema changed) is final, and so is a refused connection.
async fn on_database(
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
                Some(reset::check(&template.check, &template.facts)),
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
            Ok((name, _, Err(error))) if not_reusable(&error) => to_drop.push(name),
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

/// Marks a failed test's databases kept for inspection: no reaper drops them during this run
/// (nextest's `NEXTEST_RUN_ID`) or within [`reap::KEPT_FOR`] after. Best effort: the test
/// has failed already, and an unmarked one is still kept while this process runs.
pub(crate) async fn mark_kept(names: &[String]) {
    let Ok(url) = require_url() else { return };
    let Ok(mut admin) = admin(url).await else { return };
    let mark = kept_mark();
    for name in names {
        let _ = execute(&mut admin, &format!("COMMENT ON DATABASE \"{name}\" IS {}", literal(&mark))).await;
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
