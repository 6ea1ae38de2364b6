//! Test databases and templates nobody will use again: those of processes that are gone
//! (exit, kill -9, on any machine or container sharing the server: [`super::liveness`]),
//! scratch databases of killed template builds, and templates unused for a while (after a
//! migration or seed change) with the clean databases made from them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sqlx::postgres::PgConnection;

use super::liveness::{live_owners_sql, owner_id, Lock};
use super::names::{
    built_at, run_id, scratch_owner, TestDatabaseName, ANY_TEMPLATE_PREFIX, FREE_MARK, KEPT_FOR, KEPT_MARK, PREFIX,
    SCRATCH_PREFIX, TEMPLATE_PREFIX,
};
use super::pooled::{take, Pooled};
use super::reset;
use super::server::{admin, drop_database, execute, server_error};
use crate::features::db::DbError;

/// How long a template no process uses stays: built or last taken from within this time, it
/// is kept for the next process (nextest starts one per test) or run.
const UNUSED_TEMPLATE_AGE: Duration = Duration::from_secs(60 * 60);

/// Whether a kept database's comment still protects it at `now`.
fn still_kept(comment: &str, now: u64, run: &str) -> bool {
    let Some(mark) = comment.strip_prefix(KEPT_MARK) else { return false };
    let (kept_run, at) = mark.rsplit_once(':').unwrap_or((mark, "0"));
    let at: u64 = at.parse().unwrap_or(0);
    (!run.is_empty() && kept_run == run) || now.saturating_sub(at) < KEPT_FOR.as_secs()
}

/// How many clean databases of gone processes are kept per template for later processes to
/// take over; beyond that they are dropped, so the server does not fill up with them when
/// many processes (nextest: one per test) each leave a few behind.
const KEEP_CLEAN_PER_TEMPLATE: usize = 16;

/// Clean databases of gone processes: taken over one at a time by [`adopt`] when this
/// process needs one, instead of all at start, so concurrent processes share them and a
/// process that needs three pays for three renames, not for the whole pool.
static ADOPTABLE: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());

/// Reaps once per process, before its first template; prints what it did past the harness's
/// capture: this concerns the run, not one test.
pub(super) async fn reap_once(url: &str) {
    // Concurrent first callers wait for the one reaping: they take pooled databases next,
    // and the list of adoptable ones must be there by then.
    static REAPED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    REAPED.get_or_init(|| reap_and_say(url)).await;
}

async fn reap_and_say(url: &str) {
    let reaped = match admin(url).await {
        Ok(mut admin) => {
            let reaped = reap(&mut admin).await;
            let _ = sqlx::Connection::close(admin).await;
            reaped
        }
        Err(error) => Err(error),
    };
    let line = match reaped {
        Ok(Reaped { dropped: 0, templates: 0, .. }) => return,
        Ok(Reaped { dropped, templates, adoptable }) => format!(
            "testrig: dropped {dropped} test database(s) of processes that no longer run and {templates} unused template(s) ({adoptable} clean database(s) kept to reuse)\n"
        ),
        Err(error) => format!("testrig: could not reap leaked test databases: {error}\n"),
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

#[derive(Default)]
struct Reaped {
    dropped: usize,
    templates: usize,
    adoptable: usize,
}

/// How long a process waits for another's reaping to end before going on without its own.
const REAPER_WAIT: Duration = Duration::from_secs(30);

/// One reaper at a time across every process sharing the server, so each drop is done once:
/// when each process dropped the same databases, they queued behind each other's `DROP
/// DATABASE` (two nextest partitions started at once took 346 s instead of ~40 s). The next
/// reaper waits for the one before (bounded), then finds nothing left to drop: what it sees
/// does not depend on which process came first.
async fn reap(admin: &mut PgConnection) -> Result<Reaped, DbError> {
    let lock = Lock::REAPER.sql("pg_advisory_lock");
    match tokio::time::timeout(REAPER_WAIT, execute(admin, &lock)).await {
        Ok(taken) => taken?,
        Err(_) => {
            return Err(DbError::Database {
                what: "reaping skipped".into(),
                cause: format!("another process has been reaping for {}s", REAPER_WAIT.as_secs()),
            })
        }
    }
    let reaped = reap_locked(admin).await;
    let _ = execute(admin, &Lock::REAPER.sql("pg_advisory_unlock")).await;
    reaped
}

/// A database on the server as the reaper sees it.
struct Found {
    name: String,
    comment: String,
    connected: bool,
}

async fn reap_locked(admin: &mut PgConnection) -> Result<Reaped, DbError> {
    let (now,): (i64,) = sqlx::query_as("SELECT extract(epoch FROM now())::bigint")
        .fetch_one(&mut *admin)
        .await
        .map_err(server_error("cannot read the server's time"))?;
    let now = now.max(0) as u64;
    let live: Vec<(i64,)> = sqlx::query_as(crate::features::db::sql::trusted(&live_owners_sql()))
        .fetch_all(&mut *admin)
        .await
        .map_err(server_error("cannot list live processes"))?;
    let alive = |owner: u32| live.iter().any(|(id,)| *id == i64::from(owner));
    // Connected: by a client, not the server's own workers (an autovacuum worker, which a
    // drop ends by itself, visits a dead process's databases as any others).
    let list = |prefix: &'static str| {
        sqlx::query_as::<_, (String, Option<String>, bool)>(
            "SELECT d.datname, shobj_description(d.oid, 'pg_database'),
                    EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid
                            AND coalesce(a.backend_type, 'client backend') = 'client backend')
             FROM pg_database d WHERE starts_with(d.datname, $1) ORDER BY d.datname",
        )
        .bind(prefix)
    };
    let found = |rows: Vec<(String, Option<String>, bool)>| -> Vec<Found> {
        rows.into_iter()
            .map(|(name, comment, connected)| Found { name, comment: comment.unwrap_or_default(), connected })
            .collect()
    };
    let databases = found(list(PREFIX).fetch_all(&mut *admin).await.map_err(server_error("cannot list databases"))?);
    let templates =
        found(list(ANY_TEMPLATE_PREFIX).fetch_all(&mut *admin).await.map_err(server_error("cannot list databases"))?);
    let mut reaped = Reaped::default();
    let mut kept_templates = Vec::new();
    for template in templates {
        // Whether to drop it, and whether its lock is then held to release afterwards.
        let (drop, locked) = if template.name.starts_with(SCRATCH_PREFIX) {
            // A build's scratch database: its builder is alive, and connected while it works.
            (scratch_owner(&template.name).is_none_or(|owner| !alive(owner)) && !template.connected, false)
        } else if !template.name.starts_with(TEMPLATE_PREFIX) {
            // Another version's template: versions that marked use by locks are not this old.
            (!template.connected, false)
        } else {
            let last_taken = databases
                .iter()
                .filter(|db| db.comment.strip_prefix(FREE_MARK) == Some(template.name.as_str()))
                .filter_map(|db| TestDatabaseName::parse(&db.name).map(|parsed| parsed.made))
                .max()
                .unwrap_or(0);
            let last_use = built_at(&template.comment).max(last_taken);
            let stale = now.saturating_sub(last_use) > UNUSED_TEMPLATE_AGE.as_secs();
            let unused = stale && unused(admin, &template.name).await;
            (unused, unused)
        };
        if !drop {
            kept_templates.push(template.name);
            continue;
        }
        let dropped = drop_database(admin, &template.name).await;
        if locked {
            let _ = execute(admin, &Lock::template(&template.name).sql("pg_advisory_unlock")).await;
        }
        match dropped {
            Ok(()) => reaped.templates += 1,
            Err(_) => kept_templates.push(template.name),
        }
    }
    let run = run_id();
    let mut adoptable: Vec<Pooled> = Vec::new();
    for database in databases {
        let owner_alive = TestDatabaseName::parse(&database.name).is_some_and(|parsed| alive(parsed.owner));
        if owner_alive || database.connected || still_kept(&database.comment, now, &run) {
            continue;
        }
        let clean_template = database
            .comment
            .strip_prefix(FREE_MARK)
            .filter(|template| kept_templates.iter().any(|kept| kept == template));
        if let Some(template) = clean_template {
            if adoptable.iter().filter(|pooled| pooled.template == template).count() < KEEP_CLEAN_PER_TEMPLATE {
                adoptable.push(Pooled { template: template.to_owned(), name: database.name, keeper: None });
                continue;
            }
        }
        // Another role's database cannot be dropped by this one; it stays for its own role.
        if drop_database(admin, &database.name).await.is_ok() {
            reaped.dropped += 1;
        }
    }
    reaped.adoptable = adoptable.len();
    *ADOPTABLE.lock().unwrap_or_else(PoisonError::into_inner) = adoptable;
    Ok(reaped)
}

/// Whether no process uses `template`; if so, its lock is held (exclusively) until the
/// caller unlocks it, so none starts to while it is dropped.
async fn unused(admin: &mut PgConnection, template: &str) -> bool {
    let query = Lock::template(template).sql("pg_try_advisory_lock");
    let taken: Result<String, _> =
        sqlx::query_scalar(crate::features::db::sql::trusted(&query)).fetch_one(&mut *admin).await;
    taken.is_ok_and(|taken| taken == "true")
}

/// Takes over one clean database of a gone process for `template`, by renaming it to this
/// process: the rename fails if another process took it first (or is connected to it), and
/// then the next one is tried. With it, whether it was sealed (see [`super::reset`]): then it
/// is allowed connections again and marked taken, here, on this admin session: ready to hand
/// out with no check, no reset and no connection of its own (a new connection to the database
/// is the slowest step left of a run's first test).
pub(super) async fn adopt(url: &str, template: &str) -> Option<(Pooled, bool)> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut candidate = take(&ADOPTABLE, template)?;
    let owner = owner_id(url).await.ok()?;
    let mut admin = admin(url).await.ok()?;
    let adopted = loop {
        let label = TestDatabaseName::parse(&candidate.name).map_or("db", |parsed| parsed.label);
        let serial = format!("a{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let name = TestDatabaseName::make(owner, &serial, label);
        if execute(&mut admin, &format!("ALTER DATABASE \"{}\" RENAME TO \"{name}\"", candidate.name)).await.is_ok() {
            let sealed: Option<bool> =
                sqlx::query_scalar(crate::features::db::sql::trusted(&reset::sealed_query(&name)))
                    .fetch_optional(&mut admin)
                    .await
                    .ok()
                    .flatten();
            // Unsealed by someone else, or unreadable: checked and reset as any other (so is
            // one whose taken mark failed: the reset marks it).
            let sealed = sealed == Some(true)
                && execute(&mut admin, &reset::unseal_sql(&name)).await.is_ok()
                && execute(&mut admin, &reset::taken_sql(&name)).await.is_ok();
            break Some((Pooled { name, ..candidate }, sealed));
        }
        match take(&ADOPTABLE, template) {
            Some(next) => candidate = next,
            None => break None,
        }
    };
    let _ = sqlx::Connection::close(admin).await;
    adopted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_database_stays_for_its_run_and_the_grace_period() {
        let at = 1_000_000;
        let mark = format!("{KEPT_MARK}run-1:{at}");
        assert!(still_kept(&mark, at + 10, ""), "within the grace period");
        assert!(!still_kept(&mark, at + KEPT_FOR.as_secs() + 1, ""), "past it");
        assert!(still_kept(&mark, at + KEPT_FOR.as_secs() + 1, "run-1"), "the same nextest run");
        assert!(!still_kept(&mark, at + KEPT_FOR.as_secs() + 1, "run-2"), "another run");
        assert!(!still_kept("testrig:free:x", at, "run-1"), "a clean one is not kept");
    }
}
