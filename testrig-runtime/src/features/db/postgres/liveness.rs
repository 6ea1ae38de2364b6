//! Which processes are alive, as the server tells it: whatever host, pid namespace or
//! container a process runs in, it holds a session-level advisory lock on its *owner id* for
//! as long as it lives, and the server releases it the moment the process's connection goes
//! (exit, kill -9, a lost machine). Its test databases carry the owner id in their names; a
//! reaper drops a database only when its owner holds nothing ([`super::reap`]).
//!
//! The same session holds a shared lock on each template the process uses: a template is
//! dropped as stale only by a reaper that takes the lock exclusively, so never under a
//! process about to clone it.

use super::connections::{open_keeper, Keeper};
use super::server::{server_error, within_connect_timeout};
use crate::features::db::DbError;
use crate::leaf::fnv::fnv1a;

/// The first key of the advisory locks of owners (second key: the owner id), of templates in
/// use (second key: [`template_key`]) and of the one reaper at a time (second key 0). Two-key
/// locks, so they never meet an application's single `bigint` keys.
const OWNER_LOCKS: i32 = 0x7e57_0001;
const TEMPLATE_LOCKS: i32 = 0x7e57_0002;
const REAPER_LOCK: i32 = 0x7e57_0003;

/// One of testrig's advisory locks: the first key says what it is for, the second which one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lock(i32, i32);

impl Lock {
    /// Held by the live process of owner `id`.
    pub(super) fn owner(id: u32) -> Lock {
        Lock(OWNER_LOCKS, id as i32)
    }

    /// Held shared by every process using `template`; exclusively by a reaper dropping it.
    pub(super) fn template(template: &str) -> Lock {
        Lock(TEMPLATE_LOCKS, template_key(template))
    }

    /// Held by the one process reaping.
    pub(super) const REAPER: Lock = Lock(REAPER_LOCK, 0);

    /// The call of the advisory-lock `function` (`pg_try_advisory_lock`, ..) on this lock,
    /// its result as text: `true`/`false` for the `try` ones, empty for the others.
    pub(super) fn sql(self, function: &str) -> String {
        format!("SELECT {function}({}, {})::text", self.0, self.1)
    }
}

/// This process's owner id and the session that proves it alive.
struct Owner {
    id: u32,
    /// Async: held while a statement runs on the session.
    session: tokio::sync::Mutex<Session>,
}

struct Session {
    /// `None` once a statement on it failed (its state is then unknown).
    keeper: Option<Keeper>,
    /// Templates whose shared lock it holds.
    templates: Vec<String>,
}

static OWNER: tokio::sync::OnceCell<Owner> = tokio::sync::OnceCell::const_new();

/// This process's owner id, for the names of the databases it makes: taken on first use of
/// the server, held until the process ends.
pub(super) async fn owner_id(url: &str) -> Result<u32, DbError> {
    OWNER.get_or_try_init(|| join(url)).await.map(|owner| owner.id)
}

async fn join(url: &str) -> Result<Owner, DbError> {
    let opened = within_connect_timeout(url, Keeper::open(url.to_owned())).await?;
    let mut session = opened
        .map_err(server_error("cannot connect to the PostgreSQL server in TESTRIG_DATABASE_URL (or DATABASE_URL)"))?;
    // Random, so two processes with the same pid (two containers) differ; one held by a live
    // process (an unlikely draw) is skipped.
    for attempt in 0..16u32 {
        let id = random_id(attempt);
        let (kept, taken) = session
            .text(Lock::owner(id).sql("pg_try_advisory_lock"))
            .await
            .map_err(server_error("cannot take this process's owner lock"))?;
        session = kept;
        if taken.as_deref() == Some("true") {
            let session = Session { keeper: Some(session), templates: Vec::new() };
            return Ok(Owner { id, session: tokio::sync::Mutex::new(session) });
        }
    }
    Err(DbError::Database {
        what: "cannot take this process's owner lock".into(),
        cause: "16 random owner ids were all held by other processes".into(),
    })
}

fn random_id(attempt: u32) -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u32(attempt);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    (hasher.finish() as u32).max(1)
}

/// The second key of `template`'s lock.
fn template_key(template: &str) -> i32 {
    fnv1a(template.as_bytes()) as u32 as i32
}

/// Marks `template` used by this process, for as long as it runs, before it is looked for or
/// cloned: waits while a reaper is dropping it (then it is built again).
pub(super) async fn use_template(url: &str, template: &str) -> Result<(), DbError> {
    let owner = OWNER.get_or_try_init(|| join(url)).await?;
    let mut session = owner.session.lock().await;
    if session.templates.iter().any(|held| held == template) {
        return Ok(());
    }
    let what = || format!("cannot mark template {template} in use");
    let query = Lock::template(template).sql("pg_advisory_lock_shared");
    let keeper = match session.keeper.take() {
        Some(keeper) => keeper,
        None => rejoin(url, owner.id, &session.templates).await.map_err(server_error(what()))?,
    };
    let (keeper, _) = match keeper.text(query.clone()).await {
        Ok(done) => done,
        // Cut since (a server restart, `pg_terminate_backend`): opened again, its locks taken
        // again, and the statement tried once more.
        Err(_) => {
            let keeper = rejoin(url, owner.id, &session.templates).await.map_err(server_error(what()))?;
            keeper.text(query).await.map_err(server_error(what()))?
        }
    };
    session.keeper = Some(keeper);
    session.templates.push(template.to_owned());
    Ok(())
}

/// A new session for this process's owner id and the templates it holds, after the first
/// one was cut: while it was, a reaper could take this process for gone (its databases in
/// use stay, being connected to).
async fn rejoin(url: &str, id: u32, templates: &[String]) -> Result<Keeper, sqlx::Error> {
    let mut keeper = open_keeper(url).await?;
    keeper = keeper.text(Lock::owner(id).sql("pg_try_advisory_lock")).await?.0;
    for template in templates {
        keeper = keeper.text(Lock::template(template).sql("pg_advisory_lock_shared")).await?.0;
    }
    Ok(keeper)
}

/// The owner ids whose processes are alive (their lock is held), as SQL yielding one
/// `bigint` column.
pub(super) fn live_owners_sql() -> String {
    format!(
        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid = {} AND objsubid = 2 AND granted",
        OWNER_LOCKS as u32
    )
}
