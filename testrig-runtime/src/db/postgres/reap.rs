//! Test databases whose owner is gone: those of this machine's dead processes (kill -9), and
//! those of other machines sharing the server that nobody has used for a while.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::postgres::PgConnection;

use super::reset::FREE_MARK;
use super::template::TEMPLATE_PREFIX;
use super::{execute, server_error, Pooled};
use crate::db::recipe::{fnv1a, identifier};
use crate::db::DbError;

/// Every test database's name starts so.
const PREFIX: &str = "testrig_t_";

/// How long another machine's test database must sit without a connection before it is
/// taken for abandoned: this machine cannot see whether that machine's process still runs.
/// Long enough to inspect a failed test's databases.
const OTHER_HOST_AGE: Duration = Duration::from_secs(2 * 60 * 60);

/// The name of a test database says who made it and when, so any process can tell whether it
/// is still someone's: `testrig_t_<host>_<pid>_<unix seconds>_<serial>_<label>`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TestDatabaseName<'a> {
    pub(crate) host: &'a str,
    pub(crate) pid: u32,
    pub(crate) made: u64,
    pub(crate) label: &'a str,
}

impl<'a> TestDatabaseName<'a> {
    /// A new name for this process; `serial` makes it unique within the process.
    pub(crate) fn new_for_this_process(serial: &str, label: &str) -> String {
        format!("{PREFIX}{}_{}_{}_{serial}_{}", host_tag(), std::process::id(), unix_now(), identifier(label, 16))
    }

    pub(crate) fn parse(name: &'a str) -> Option<Self> {
        let mut parts = name.strip_prefix(PREFIX)?.splitn(5, '_');
        let host = parts.next()?;
        let pid = parts.next()?.parse().ok()?;
        let made = parts.next()?.parse().ok()?;
        let _serial = parts.next()?;
        let label = parts.next().unwrap_or("db");
        Some(TestDatabaseName { host, pid, made, label })
    }

    /// Whether the process that owns it is gone: on this machine, its pid is not running; on
    /// another, nobody is connected and it is older than [`OTHER_HOST_AGE`].
    fn owner_gone(&self, here: &str, now: u64, connected: bool) -> bool {
        if self.host == here {
            self.pid != std::process::id() && !Path::new(&format!("/proc/{}", self.pid)).exists()
        } else {
            !connected && now.saturating_sub(self.made) > OTHER_HOST_AGE.as_secs()
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// A short tag for this machine: the pid of a database made here can be checked here only.
/// Read once: every database name carries it.
fn host_tag() -> &'static str {
    static TAG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        format!("{:06x}", fnv1a(host.trim().as_bytes()) & 0xff_ffff)
    })
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
pub(super) async fn reap_once(admin: &mut PgConnection) {
    // Concurrent first callers wait for the one reaping: they take pooled databases next,
    // and the list of adoptable ones must be there by then.
    static REAPED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    REAPED.get_or_init(|| reap_and_say(admin)).await;
}

async fn reap_and_say(admin: &mut PgConnection) {
    let line = match reap(admin).await {
        Ok(Reaped { dropped: 0, .. }) => return,
        Ok(Reaped { dropped, adoptable }) => format!(
            "testrig: dropped {dropped} test database(s) left by processes that no longer run ({adoptable} clean one(s) kept to reuse)\n"
        ),
        Err(error) => format!("testrig: could not reap leaked test databases: {error}\n"),
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

struct Reaped {
    dropped: usize,
    adoptable: usize,
}

/// Sorts the test databases whose owner is gone: those the owner had reset into its pool are
/// listed for [`adopt`] (up to [`KEEP_CLEAN_PER_TEMPLATE`] per template); the rest (in use
/// when it died, of a failed test, or surplus) are dropped.
async fn reap(admin: &mut PgConnection) -> Result<Reaped, DbError> {
    let found: Vec<(String, Option<String>, bool)> = sqlx::query_as(
        "SELECT d.datname, shobj_description(d.oid, 'pg_database'),
                EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)
         FROM pg_database d WHERE starts_with(d.datname, $1) ORDER BY d.datname",
    )
    .bind(PREFIX)
    .fetch_all(&mut *admin)
    .await
    .map_err(server_error("cannot list databases"))?;
    let templates: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
        .bind(TEMPLATE_PREFIX)
        .fetch_all(&mut *admin)
        .await
        .map_err(server_error("cannot list databases"))?;
    let (here, now) = (host_tag(), unix_now());
    let mut adoptable: Vec<Pooled> = Vec::new();
    let mut dropped = 0;
    for (name, comment, connected) in found {
        let Some(parsed) = TestDatabaseName::parse(&name) else { continue };
        if !parsed.owner_gone(here, now, connected) {
            continue;
        }
        let clean_template = comment
            .as_deref()
            .and_then(|comment| comment.strip_prefix(FREE_MARK))
            .filter(|template| templates.iter().any(|(t,)| t == template));
        if let Some(template) = clean_template {
            if adoptable.iter().filter(|pooled| pooled.template == template).count() < KEEP_CLEAN_PER_TEMPLATE {
                adoptable.push(Pooled { template: template.to_owned(), name, keeper: None });
                continue;
            }
        }
        // Another process reaping at the same time may drop it first; either way it is gone.
        if super::drop_database(admin, &name).await.is_ok() {
            dropped += 1;
        }
    }
    let count = adoptable.len();
    *ADOPTABLE.lock().unwrap_or_else(PoisonError::into_inner) = adoptable;
    Ok(Reaped { dropped, adoptable: count })
}

/// Takes over one clean database of a gone process for `template`, by renaming it to this
/// process: the rename fails if another process took it first (or is connected to it), and
/// then the next one is tried.
pub(super) async fn adopt(url: &str, template: &str) -> Option<Pooled> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut candidate = super::take(&ADOPTABLE, template)?;
    let mut admin = super::admin(url).await.ok()?;
    let adopted = loop {
        let label = TestDatabaseName::parse(&candidate.name).map_or("db", |parsed| parsed.label);
        let serial = format!("a{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let name = TestDatabaseName::new_for_this_process(&serial, label);
        if execute(&mut admin, &format!("ALTER DATABASE \"{}\" RENAME TO \"{name}\"", candidate.name)).await.is_ok() {
            break Some(Pooled { name, ..candidate });
        }
        match super::take(&ADOPTABLE, template) {
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
    fn names_round_trip() {
        let name = TestDatabaseName::new_for_this_process("7", "Cell-1");
        let parsed = TestDatabaseName::parse(&name).unwrap();
        assert_eq!((parsed.host, parsed.pid, parsed.label), (host_tag(), std::process::id(), "cell1"));
        assert!(unix_now() - parsed.made < 5);
        assert!(name.len() <= 63, "PostgreSQL truncates identifiers at 63 bytes: {name}");
        assert_eq!(TestDatabaseName::parse("testrig_tpl_v3_x"), None);
        assert_eq!(TestDatabaseName::parse("testrig_t_abcdef_12_x_1_api"), None, "no time");
    }

    #[test]
    fn another_hosts_database_is_gone_only_unused_and_old() {
        let old = TestDatabaseName { host: "other", pid: 1, made: 1_000, label: "api" };
        let now = 1_000 + OTHER_HOST_AGE.as_secs() + 1;
        assert!(old.owner_gone("here", now, false));
        assert!(!old.owner_gone("here", now, true), "someone is connected");
        assert!(!old.owner_gone("here", now - 2, false), "too recent");
    }

    #[test]
    fn this_hosts_database_is_gone_when_its_process_is() {
        let mine = TestDatabaseName { host: "here", pid: std::process::id(), made: 0, label: "api" };
        assert!(!mine.owner_gone("here", u64::MAX, false));
        let dead = TestDatabaseName { host: "here", pid: u32::MAX - 1, made: u64::MAX, label: "api" };
        assert!(dead.owner_gone("here", 0, true));
    }
}
