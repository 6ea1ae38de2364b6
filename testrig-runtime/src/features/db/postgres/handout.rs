//! Under nextest, a process per test: the run's test databases handed out by one process.
//!
//! Each process would otherwise pay for its own connections before its first test (its owner
//! lock, the reaper's listing, the template lookup, an adoption's check and reset: most of a
//! test's time there). [`Handout`] is a run fixture (`scope = run`): its keeper, one per run,
//! owns the databases, keeps a connection to each (its resets run on warm server caches), and
//! keeps a few of every template a test asked for reset and ready. A test claims a ready one
//! with a file rename, connects to it, and hands it back the same way; the keeper resets it
//! (the same exact reset as in one process) while the next test runs.
//!
//! The files, in the handout's directory:
//! - `wanted/<recipe hash>`: a recipe a test needs, written by the first test that needs it
//!   (migrations directory, seeds); `failed/<recipe hash>`: why its template cannot be built.
//! - `ready/<recipe hash>/<database>`: reset and marked taken, waiting. A test claims one by
//!   taking the file's `flock` and renaming it to `taken/<database>`, keeping the lock until it
//!   exits: a free lock on a taken one is a test that died, and the keeper resets it.
//! - `returned/<database>`: a passed test's, to reset; `kept/<database>`: a failed test's, kept
//!   for inspection (or dropped by it), no longer the keeper's.
//! - `keeper.sock`: a datagram socket on which tests wake the keeper.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::connections::{open_keeper, Keeper};
use super::reset;
use super::server::{admin, execute, require_url, with_database};
use super::supply::{acquire, drop_databases, on_database};
use super::template::Template;
use crate::features::db::recipe::{Recipe, Seed};
use crate::features::db::DbError;
use crate::leaf::file_lock::try_exclusive;

/// Where the run's handout keeps its files; the run fixture's value.
#[derive(Debug)]
pub(crate) struct Handout {
    dir: String,
    /// Which server and role it hands out databases of: a hash of the URL its keeper was
    /// started with. A process given another URL makes its own.
    server: u64,
}

impl serde::Serialize for Handout {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.dir, self.server).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Handout {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <(String, u64)>::deserialize(deserializer).map(|(dir, server)| Handout { dir, server })
    }
}

/// The hash a [`Handout`] is told apart by (the URL holds the password: never written out).
fn server_identity(url: &str) -> u64 {
    crate::leaf::fnv::fnv1a(url.as_bytes())
}

const WANTED: &str = "wanted";
const FAILED: &str = "failed";
const READY: &str = "ready";
const TAKEN: &str = "taken";
const RETURNED: &str = "returned";
const KEPT: &str = "kept";
/// The keeper's own: a returned (or abandoned) database's file while it is reset.
const RESETTING: &str = "resetting";
const SOCKET: &str = "keeper.sock";
/// Written when the keeper stops serving (its teardown, or its loop ended): tests make their own.
const STOPPED: &str = "stopped";

/// The keeper's work, stopped at teardown: told to ([`STOPPING`]), then awaited, so no reset
/// or new database is cut off half-way.
static SERVING: Mutex<Option<tokio::task::JoinHandle<()>>> = Mutex::new(None);
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[testrig_macros::fixture(crate = crate, scope = run)]
impl Handout {
    async fn setup() -> Result<Handout, DbError> {
        let url = require_url()?;
        let Some(own) = crate::features::run_scope::keeper_dir() else {
            return Err(DbError::Database {
                what: "the database handout".into(),
                cause: "it is set up only in a run's keeper".into(),
            });
        };
        let dir = own.join("handout");
        let io = |error: std::io::Error| DbError::Database {
            what: format!("cannot make the database handout in {}", dir.display()),
            cause: error.to_string(),
        };
        for sub in [WANTED, FAILED, READY, TAKEN, RETURNED, KEPT, RESETTING] {
            crate::leaf::private_dir::make(&dir.join(sub)).map_err(io)?;
        }
        // A socket's path has a limit (104 bytes on macOS, 108 on Linux) a long temp dir can
        // pass: then the keeper looks every few milliseconds instead of being woken.
        let socket = tokio::net::UnixDatagram::bind(dir.join(SOCKET)).ok();
        // Serving (reaping first) starts beside the owner lock, which every database the
        // keeper makes carries: the first test waits for the one, not for both in turn.
        let serving = tokio::spawn(serve(url, dir.clone(), socket));
        if let Err(error) = super::liveness::owner_id(url).await {
            serving.abort();
            return Err(error);
        }
        *SERVING.lock().unwrap_or_else(PoisonError::into_inner) = Some(serving);
        Ok(Handout { dir: dir.display().to_string(), server: server_identity(url) })
    }

    async fn teardown(self) -> Result<(), DbError> {
        let _ = File::create(Path::new(&self.dir).join(STOPPED));
        let serving = SERVING.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(serving) = serving {
            STOPPING.store(true, Ordering::Release);
            wake(Path::new(&self.dir));
            // Its round ends within the server's statement times; bounded all the same.
            let abort = serving.abort_handle();
            if tokio::time::timeout(Duration::from_secs(30), serving).await.is_err() {
                abort.abort();
                let line = "testrig: the database handout was still busy 30 s into its teardown\n";
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            }
        }
        // Ready ones are reset and marked taken: marked clean instead, a later process (or the
        // next run's keeper) adopts them as any process's clean databases.
        let Ok(url) = require_url() else { return Ok(()) };
        // A failed test's, kept for inspection: not the keeper's to reset.
        for name in names_in(&Path::new(&self.dir).join(KEPT)) {
            unhold(&name);
        }
        let held = std::mem::take(&mut *HELD.lock().unwrap_or_else(PoisonError::into_inner));
        // One adopted sealed and never reset has no connection yet: opened now, before the
        // seal refuses new ones (else it would be dropped for the want of one).
        let held = connected(url, held).await;
        // Sealed first (from another database: none can forbid connections to its own), so
        // the next run's keeper hands them out with no check and reset of their own. The
        // admin session stays open for the rename after the resets.
        let mut admin = admin(url).await.ok();
        let mut sealed = Vec::new();
        if let Some(admin) = admin.as_mut() {
            for (name, _) in &held {
                if execute(admin, &reset::seal_sql(name)).await.is_ok() {
                    sealed.push(name.clone());
                }
            }
        }
        // All at once: each is a round trip on its own connection.
        let mut resets = tokio::task::JoinSet::new();
        for (name, Held { template, keeper, .. }) in held {
            // Checked: a test killed as the run ended may have been writing to it.
            let check = match sealed.contains(&name) {
                true => reset::sealed_check(&template.facts),
                false => reset::check(&template.check, &template.facts),
            };
            resets.spawn(async move {
                let sql = reset::reset_sql(&template.name, &template.facts, &name);
                let reset = on_database(with_database(url, &name), keeper, Some(check), sql).await;
                let reset_ok = reset.is_ok();
                if let Ok(keeper) = reset {
                    // The reset's deleted rows left to autovacuum would bring a worker onto
                    // the database later, and the next run's adoption (a rename) waits for
                    // such a worker to leave: ~100 ms of its first test. Vacuumed now, with
                    // nothing left to do there. Best effort, bounded.
                    if let Ok(keeper) = keeper.execute(None, reset::VACUUM_BOUND.to_owned()).await {
                        if let Ok(keeper) = keeper.execute(None, reset::VACUUM.to_owned()).await {
                            keeper.close().await;
                        }
                    }
                }
                (name, reset_ok)
            });
        }
        let mut reset = Vec::new();
        while let Some(done) = resets.join_next().await {
            match done {
                Ok((name, true)) => reset.push(name),
                Ok((name, false)) => drop(drop_databases(std::slice::from_ref(&name)).await),
                Err(_) => {}
            }
        }
        // A session that was starting as the seal came (past the server's own check, not
        // yet counted as on the database) is not seen by the check: a rename is refused
        // while any session is on the database, counting those. Refused, it is not adopted
        // as sealed: its mark is taken off, and the next process drops it.
        if let Some(mut admin) = admin {
            for name in reset.iter().filter(|name| sealed.contains(name)) {
                let aside = format!("{name}_sealing");
                let renamed = execute(&mut admin, &format!("ALTER DATABASE \"{name}\" RENAME TO \"{aside}\"")).await;
                let back = match renamed {
                    Ok(()) => execute(&mut admin, &format!("ALTER DATABASE \"{aside}\" RENAME TO \"{name}\"")).await,
                    Err(error) => Err(error),
                };
                if back.is_err() {
                    let _ = execute(&mut admin, &format!("COMMENT ON DATABASE \"{name}\" IS NULL")).await;
                    let _ = execute(&mut admin, &format!("COMMENT ON DATABASE \"{aside}\" IS NULL")).await;
                }
            }
            let _ = sqlx::Connection::close(admin).await;
        }
        Ok(())
    }
}

/// `held`, each with its kept connection: opened (all at once) for those that have none.
async fn connected(url: &'static str, held: Vec<(String, Held)>) -> Vec<(String, Held)> {
    let mut opening = tokio::task::JoinSet::new();
    let mut connected = Vec::with_capacity(held.len());
    for (name, held) in held {
        if held.keeper.is_some() {
            connected.push((name, held));
            continue;
        }
        opening.spawn(async move {
            let keeper = open_keeper(&with_database(url, &name)).await.ok();
            (name, Held { keeper, ..held })
        });
    }
    connected.extend(opening.join_all().await);
    connected
}

/// The keeper's databases, by name: ready ones, and those out with a test (their connection
/// waits for the reset).
static HELD: Mutex<Vec<(String, Held)>> = Mutex::new(Vec::new());

struct Held {
    /// The recipe hash it is ready under.
    hash: String,
    template: Template,
    /// Its kept connection; none for one adopted sealed (handed out with no statement on it
    /// of its own), whose reset opens one.
    keeper: Option<Keeper>,
}

fn hold(name: String, held: Held) {
    HELD.lock().unwrap_or_else(PoisonError::into_inner).push((name, held));
}

fn unhold(name: &str) -> Option<Held> {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    let at = held.iter().position(|(held, _)| held == name)?;
    Some(held.swap_remove(at).1)
}

/// One recipe the keeper serves: its template, and how many to keep ready.
struct Served {
    template: Template,
    /// Databases it could not make in a row: after three, its tests are told why.
    failures: u32,
    /// What its databases are named for, as a test names its own (`api`, `cell1`, `main`):
    /// adopted later by a process that needs one, the name says which it is.
    label: &'static str,
    target: usize,
    /// Being made (or adopted) now, and being reset: each counted down by its task as it
    /// ends, however it ends (a task that panicked included). Both are on their way to
    /// `ready/`: a new database is made only when they will not be enough.
    making: Arc<AtomicUsize>,
    resetting: Arc<AtomicUsize>,
}

/// What one of the keeper's tasks reports back to its loop when it ends.
enum Done {
    /// A database of recipe `hash` was made or adopted, and is ready; or why not.
    Made { hash: String, made: Result<(), DbError> },
    /// A database a test handed back (or left behind) was reset and is ready again, or (false)
    /// dropped.
    Reset { hash: String, reused: bool },
}

async fn serve(url: &'static str, dir: PathBuf, socket: Option<tokio::net::UnixDatagram>) {
    // As a test's process does before its first database: gone processes' databases dropped,
    // their clean ones listed for adoption. Beside the first template's lookup, which marks
    // its template used first, so the reaper leaves it alone.
    tokio::spawn(super::reap::reap_once(url));
    // Ends (a panic in a round) say so: tests then make their own databases.
    struct Stopped<'a>(&'a Path);
    impl Drop for Stopped<'_> {
        fn drop(&mut self) {
            let _ = File::create(self.0.join(STOPPED));
        }
    }
    let _stopped = Stopped(&dir);
    let mut served: HashMap<String, Served> = HashMap::new();
    // Resets and new databases, each its own task: a test handing one back is not kept
    // waiting behind a database being made, nor one reset behind another.
    let mut work: tokio::task::JoinSet<Done> = tokio::task::JoinSet::new();
    let mut buffer = [0u8; 256];
    loop {
        // Woken by a test, by a task of its own ending, or once a second to find tests that
        // died holding a database.
        let woken = async {
            match &socket {
                Some(socket) => {
                    if let Ok(Err(_)) = tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buffer)).await {
                        // A broken socket: looked at once a second.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                None => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        };
        let mut woken = std::pin::pin!(woken);
        // (Receiving is cancel-safe: a wake-up that comes as a task ends is not lost.)
        let ended = std::future::poll_fn(|context| match work.poll_join_next(context) {
            std::task::Poll::Ready(Some(done)) => std::task::Poll::Ready(Some(done)),
            _ => std::future::Future::poll(woken.as_mut(), context).map(|()| None),
        })
        .await;
        for done in ended.into_iter().chain(std::iter::from_fn(|| work.try_join_next())) {
            finished(&dir, &mut served, done);
        }
        if STOPPING.load(Ordering::Acquire) {
            // Let finish, so no database is cut off half-way; what tests handed back last is
            // reset with the rest at teardown.
            while let Some(done) = work.join_next().await {
                finished(&dir, &mut served, done);
            }
            return;
        }
        serve_wanted(url, &dir, &mut served).await;
        // Done by now but for the first round, which waits for it.
        super::reap::reap_once(url).await;
        collect(url, &dir, &served, &mut work);
        for (hash, recipe) in served.iter_mut() {
            fill(url, &dir, hash, recipe, &mut work);
        }
    }
}

/// Takes a task's end into account: a recipe's failures in a row (after three, its tests are
/// told why), its target. (What is in flight, each task counts itself: [`InFlight`].)
fn finished(dir: &Path, served: &mut HashMap<String, Served>, done: Result<Done, tokio::task::JoinError>) {
    let (hash, error) = match done {
        Ok(Done::Reset { hash, reused }) => {
            if let (false, Some(recipe)) = (reused, served.get_mut(&hash)) {
                recipe.target = recipe.target.max(2);
            }
            return;
        }
        Ok(Done::Made { hash, made }) => (hash, made.err()),
        // A task that panicked: counted as a failure of no recipe in particular.
        Err(error) => {
            let line = format!("testrig handout: a task failed: {error}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            return;
        }
    };
    let Some(recipe) = served.get_mut(&hash) else { return };
    let Some(error) = error else {
        recipe.failures = 0;
        return;
    };
    // A passing cause (the server out of connections a moment) is tried again next round.
    recipe.failures += 1;
    let line = format!("testrig handout: cannot make a database: {error}\n");
    // The keeper's output: its log.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    if recipe.failures >= 3 {
        let _ = crate::leaf::private_dir::write_whole(&dir.join(FAILED).join(&hash), failure(&error));
    }
}

/// Builds (or finds) the template of each recipe a test asked for.
async fn serve_wanted(url: &'static str, dir: &Path, served: &mut HashMap<String, Served>) {
    let Ok(wanted) = std::fs::read_dir(dir.join(WANTED)) else { return };
    for entry in wanted.flatten() {
        let Some(hash) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if hash.starts_with('.') || served.contains_key(&hash) || dir.join(FAILED).join(&hash).exists() {
            continue;
        }
        let recipe = read_recipe(&entry.path());
        let built = match recipe {
            Some(recipe) => super::template::template(url, recipe).await,
            None => Err(DbError::Database { what: "a wanted recipe".into(), cause: "it cannot be read".into() }),
        };
        match built {
            Ok(template) => {
                let _ = std::fs::create_dir_all(dir.join(READY).join(&hash));
                let label = read_label(&entry.path());
                served.insert(
                    hash,
                    Served {
                        template,
                        failures: 0,
                        label,
                        target: 2,
                        making: Arc::default(),
                        resetting: Arc::default(),
                    },
                );
            }
            Err(error) => {
                let _ = crate::leaf::private_dir::write_whole(&dir.join(FAILED).join(&hash), failure(&error));
            }
        }
    }
}

/// Why a recipe cannot be served, as the test reads it back into the error it would have met
/// building the template itself ([`failed_as`]).
fn failure(error: &DbError) -> String {
    let (kind, seed, cause) = match error {
        DbError::Migration { cause, .. } => ("migration", "", cause.clone()),
        DbError::Seed { seed, cause, .. } => ("seed", *seed, cause.clone()),
        other => ("other", "", other.to_string()),
    };
    serde_json::json!({ "kind": kind, "seed": seed, "cause": cause }).to_string()
}

/// The error a test meets when the keeper could not build its recipe's template: the one it
/// would have met building it itself.
fn failed_as(recipe: &'static Recipe, text: &str) -> DbError {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let field = |key: &str| value.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
    let cause = field("cause");
    match field("kind").as_str() {
        "migration" => recipe.migration_error(cause),
        "seed" => match recipe.seeds.iter().find(|seed| seed.name == field("seed")) {
            Some(seed) => recipe.seed_error(seed, cause),
            None => DbError::Database { what: "a seed failed".into(), cause },
        },
        _ => DbError::Database { what: "the run's database handout cannot make this database".into(), cause },
    }
}

/// Resets what tests handed back, and what tests that died were holding, each in a task of
/// its own.
fn collect(url: &'static str, dir: &Path, served: &HashMap<String, Served>, work: &mut tokio::task::JoinSet<Done>) {
    for name in names_in(&dir.join(KEPT)) {
        // A failed test's: its own now (kept for inspection, or dropped).
        if unhold(&name).is_some() {
            let _ = std::fs::remove_file(dir.join(KEPT).join(&name));
        }
    }
    let resetting = |name: &str| dir.join(RESETTING).join(name);
    let mut to_reset = Vec::new();
    // Each one is the keeper's once its file is in `resetting/`: a rename only one process
    // can make, so no database is reset twice or while a test has it.
    for name in names_in(&dir.join(RETURNED)) {
        if std::fs::rename(dir.join(RETURNED).join(&name), resetting(&name)).is_ok() {
            to_reset.push(name);
        }
    }
    for name in names_in(&dir.join(TAKEN)) {
        // Its lock is free: the test that claimed it died (a test hands back by a rename to
        // `returned/` first, and then the lock found here is on a file no longer there).
        let Some(_abandoned) = lock_at(&dir.join(TAKEN).join(&name)) else { continue };
        if std::fs::rename(dir.join(TAKEN).join(&name), resetting(&name)).is_ok() {
            to_reset.push(name);
        }
    }
    for name in to_reset {
        let file = resetting(&name);
        let Some(Held { hash, template, keeper }) = unhold(&name) else {
            let _ = std::fs::remove_file(file);
            continue;
        };
        let dir = dir.to_owned();
        let counted = served.get(&hash).map(|recipe| InFlight::count(&recipe.resetting));
        work.spawn(async move {
            let _counted = counted;
            // Checked: another session may still be on it (a connection the test kept, a
            // test that died mid-write); the reset ends it or refuses.
            let check = reset::check(&template.check, &template.facts);
            let sql = reset::reset_sql(&template.name, &template.facts, &name) + &reset::taken_sql(&name);
            let reset = on_database(with_database(url, &name), keeper, Some(check), sql).await;
            let _ = std::fs::remove_file(file);
            let reused = match reset {
                Ok(keeper) => {
                    ready(&dir, name, Held { hash: hash.clone(), template, keeper: Some(keeper) });
                    true
                }
                Err(_) => {
                    let _ = drop_databases(std::slice::from_ref(&name)).await;
                    false
                }
            };
            Done::Reset { hash, reused }
        });
    }
}

/// Makes ready databases of one recipe until it has its target (counting those being made),
/// growing the target when a test found none; each put out as soon as it is made, so the
/// first waiting test gets the first.
fn fill(url: &'static str, dir: &Path, hash: &str, served: &mut Served, work: &mut tokio::task::JoinSet<Done>) {
    let ready_dir = dir.join(READY).join(hash);
    if ready_dir.join(".starved").exists() {
        let _ = std::fs::remove_file(ready_dir.join(".starved"));
        served.target = (served.target + 1).min(16);
    }
    let coming = served.making.load(Ordering::Acquire) + served.resetting.load(Ordering::Acquire);
    let missing = served.target.saturating_sub(names_in(&ready_dir).len() + coming);
    for _ in 0..missing {
        let counted = InFlight::count(&served.making);
        let (template, label, hash, dir) = (served.template.clone(), served.label, hash.to_owned(), dir.to_owned());
        work.spawn(async move {
            let _counted = counted;
            let made = match acquire(url, &template, label).await {
                Ok((name, keeper)) => {
                    ready(&dir, name, Held { hash: hash.clone(), template, keeper });
                    Ok(())
                }
                Err(error) => Err(error),
            };
            Done::Made { hash, made }
        });
    }
}

/// One task counted in a recipe's `making` or `resetting` until it ends.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn count(counter: &Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::AcqRel);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Puts a reset database in `ready/`; the keeper keeps its connection while it is out.
fn ready(dir: &Path, name: String, held: Held) {
    let file = dir.join(READY).join(&held.hash).join(&name);
    // Held first: a test may claim it the instant its file is there.
    hold(name, held);
    let _ = File::create(file);
}

fn names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .collect()
}

/// The label the first test that wanted a recipe names its databases with.
fn read_label(path: &Path) -> &'static str {
    let value: serde_json::Value =
        std::fs::read_to_string(path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let label = value.get("label").and_then(serde_json::Value::as_str).unwrap_or("main");
    Box::leak(label.to_owned().into_boxed_str())
}

/// A recipe as a test wrote it: leaked into a `'static` one, as the test's own is (a keeper
/// serves a few recipes per run).
fn read_recipe(path: &Path) -> Option<&'static Recipe> {
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let text = |key: &str| {
        value.get(key).and_then(serde_json::Value::as_str).map(|text| &*Box::leak(text.to_owned().into_boxed_str()))
    };
    let seeds: Vec<Seed> = value
        .get("seeds")?
        .as_array()?
        .iter()
        .filter_map(|seed| {
            let name = seed.get(0)?.as_str()?;
            let sql = seed.get(1)?.as_str()?;
            Some(Seed {
                name: Box::leak(name.to_owned().into_boxed_str()),
                sql: Box::leak(sql.to_owned().into_boxed_str()),
            })
        })
        .collect();
    Some(Box::leak(Box::new(Recipe {
        owner: text("owner")?,
        database: text("database")?,
        migrations: text("migrations"),
        migrator: None,
        seeds: Box::leak(seeds.into_boxed_slice()),
    })))
}

/// A test's claim on a handed-out database: the lock of its `taken/` file, held until the
/// test hands it back (or its process ends).
pub(crate) struct Claim {
    dir: PathBuf,
    name: String,
    _lock: File,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// This run's handout, under nextest, for the server `url` names; `None` in a process that is
/// its own run, for another server or role than the handout's, with `TESTRIG_DB_HANDOUT=0`, or
/// when the handout cannot be had: the test then makes its own database, as in one process.
pub(crate) fn for_this_run(url: &str) -> Option<Arc<Handout>> {
    if std::env::var_os("TESTRIG_DB_HANDOUT").is_some_and(|value| value == "0") {
        return None;
    }
    match crate::features::run_scope::attach::<Handout>()? {
        Ok(handout) if handout.server == server_identity(url) => Some(handout),
        Ok(_) => None,
        Err(cause) => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                let line = format!("testrig: the run's database handout is not there ({cause}); this process makes its own databases\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            });
            None
        }
    }
}

impl Handout {
    /// A ready database of `recipe`, claimed; asks the keeper for the recipe first if no test
    /// did, and waits (bounded) for one. `None` when the keeper cannot serve it (an app's
    /// `Migrator`, which only this process holds) or is gone: the caller makes its own.
    pub(crate) async fn claim(&self, recipe: &'static Recipe, label: &str) -> Result<Option<(String, Claim)>, DbError> {
        if recipe.migrator.is_some() {
            return Ok(None);
        }
        let dir = Path::new(&self.dir);
        let hash = format!("{:016x}", recipe.content_hash()?);
        let ready_dir = dir.join(READY).join(&hash);
        let limit = Duration::from_secs(300);
        let started = Instant::now();
        let mut asked = false;
        let mut pause = Duration::from_micros(500);
        loop {
            if let Some(claimed) = claim_one(dir, &ready_dir) {
                if !asked {
                    wake(dir);
                }
                return Ok(Some(claimed));
            }
            if let Ok(why) = std::fs::read_to_string(dir.join(FAILED).join(&hash)) {
                return Err(failed_as(recipe, &why));
            }
            if !asked {
                let wanted = dir.join(WANTED).join(&hash);
                if !wanted.exists() {
                    crate::leaf::private_dir::write_whole(&wanted, describe(recipe, label)).map_err(|error| {
                        DbError::Database {
                            what: format!(
                                "cannot ask the run's database handout for a database ({})",
                                wanted.display()
                            ),
                            cause: error.to_string(),
                        }
                    })?;
                } else {
                    let _ = std::fs::create_dir_all(&ready_dir).and_then(|()| File::create(ready_dir.join(".starved")));
                }
                wake(dir);
                asked = true;
            }
            if keeper_gone(dir) {
                // Killed, or its serving ended: this test makes its own, as in one process.
                return Ok(None);
            }
            if started.elapsed() > limit {
                return Err(DbError::Database {
                    what: "no database from the run's handout".into(),
                    cause: format!("waited {limit:?} for its keeper to make one (its log: {}/../keeper.log)", self.dir),
                });
            }
            tokio::time::sleep(pause).await;
            // Every 2 ms at most: a readdir, against a test's ~20 ms.
            pause = (pause * 2).min(Duration::from_millis(2));
        }
    }
}

/// Whether the handout's keeper is gone: its liveness lock (`keeper.lock`, beside the
/// handout's directory) can be taken, or it stopped serving.
fn keeper_gone(dir: &Path) -> bool {
    if dir.join(STOPPED).exists() {
        return true;
    }
    let Some(lock) = dir.parent().map(|fixture| fixture.join("keeper.lock")) else { return true };
    File::open(lock).is_ok_and(|lock| try_exclusive(&lock).unwrap_or(false))
}

/// One ready database, claimed: its file locked, then renamed to `taken/`.
fn claim_one(dir: &Path, ready_dir: &Path) -> Option<(String, Claim)> {
    for name in names_in(ready_dir) {
        let Some(file) = lock_at(&ready_dir.join(&name)) else { continue };
        let taken = dir.join(TAKEN).join(&name);
        if std::fs::rename(ready_dir.join(&name), &taken).is_ok() && same_file(&file, &taken) {
            return Some((name.clone(), Claim { dir: dir.to_owned(), name, _lock: file }));
        }
    }
    None
}

/// The file at `path`, its lock taken, if no one holds it and it is still the file at `path`
/// once locked: a lock taken on a file opened just before another process moved it (and the
/// keeper made a new one at that path) is on a file no longer there, and worth nothing.
fn lock_at(path: &Path) -> Option<File> {
    let file = File::open(path).ok()?;
    (try_exclusive(&file).unwrap_or(false) && same_file(&file, path)).then_some(file)
}

/// Whether the open `file` is the one at `path` (same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(there)) => open.dev() == there.dev() && open.ino() == there.ino(),
        _ => false,
    }
}

/// The recipe for the keeper, which builds its template.
fn describe(recipe: &Recipe, label: &str) -> String {
    let seeds: Vec<[&str; 2]> = recipe.seeds.iter().map(|seed| [seed.name, seed.sql]).collect();
    serde_json::json!({
        "label": label,
        "owner": recipe.owner,
        "database": recipe.database,
        "migrations": recipe.migrations,
        "seeds": seeds,
    })
    .to_string()
}

/// Wakes the keeper (a datagram it reads); a lost one is found by its next look a second on.
fn wake(dir: &Path) {
    if let Ok(socket) = std::os::unix::net::UnixDatagram::unbound() {
        let _ = socket.send_to(b"!", dir.join(SOCKET));
    }
}

impl Claim {
    /// A passed test's database, its pools closed: back to the keeper, to reset.
    pub(crate) fn give_back(self) {
        let _ = std::fs::rename(self.dir.join(TAKEN).join(&self.name), self.dir.join(RETURNED).join(&self.name));
        wake(&self.dir);
    }

    /// A failed test's database, kept for inspection (or one dropped): no longer the keeper's.
    pub(crate) fn keep(&self) {
        let _ = std::fs::rename(self.dir.join(TAKEN).join(&self.name), self.dir.join(KEPT).join(&self.name));
        wake(&self.dir);
    }
}
