//! The files through which the processes of one run share a run fixture, in
//! `<temp>/testrig-run-<run id>/<fixture>/`:
//!
//! - `keeper.lock`: held (`flock`, exclusive) by the fixture's live keeper, from before it is
//!   started to its exit; the kernel releases it however the keeper ends.
//! - `launched`: written before a keeper is started; with `keeper.lock` free and no `state`, the
//!   keeper died before it set the fixture up, which no later test tries again.
//! - `state`: `ready <keeper pid>` and the value, or `failed` and why; written whole (renamed).
//! - `lease`: held shared by every process that attached, until it exits; the keeper tears down
//!   only once it can take it exclusively (or its grace is over).
//! - `keeper.log`: what the keeper printed.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::core::fixture::{FixtureMeta, SharedInstance};
use crate::leaf::file_lock::{try_exclusive, try_shared};
use crate::leaf::report::Cause;

pub(super) const KEEPER_LOCK: &str = "keeper.lock";
const LAUNCHED: &str = "launched";
const STATE: &str = "state";
pub(super) const LEASE: &str = "lease";
pub(super) const LOG: &str = "keeper.log";

/// The leases this process holds: never dropped while it runs (dropping releases them).
static LEASES: Mutex<Vec<File>> = Mutex::new(Vec::new());

/// Starts a fixture's keeper, handing it its held `keeper.lock` ([`super::keeper::launch`]).
pub(super) type Launch = fn(&FixtureDir, &FixtureMeta, File) -> std::io::Result<()>;

pub(super) struct FixtureDir {
    pub(super) dir: PathBuf,
}

/// What a test process found: the value as its keeper wrote it, and where it came from.
pub(super) struct Attached {
    pub(super) value: String,
    pub(super) origin: String,
}

pub(super) enum State {
    Ready { keeper: u32, value: String },
    Failed(String),
}

impl FixtureDir {
    pub(super) fn new(run: &str, meta: &'static FixtureMeta) -> Self {
        FixtureDir { dir: run_root(run).join(fixture_dir_name(meta)) }
    }

    pub(super) fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The fixture's value in this run: read if its keeper wrote it, else after starting the
    /// keeper (if none is) and waiting for it, bounded by `TESTRIG_RUN_SETUP_TIMEOUT`.
    pub(super) fn attach(&self, meta: &'static FixtureMeta, launch: Launch) -> Result<Attached, Cause> {
        let fail = |what: String| Cause::Error(format!("run fixture `{}`: {what}", meta.name).into());
        let io = |what: &str, error: std::io::Error| fail(format!("{what} in {}: {error}", self.dir.display()));
        crate::leaf::private_dir::make(&self.dir).map_err(|error| io("cannot make its directory", error))?;
        let lease = open(&self.path(LEASE)).map_err(|error| io("cannot open its lease", error))?;
        if !try_shared(&lease).map_err(|error| io("cannot take its lease", error))? {
            return Err(fail("the run is over: its keeper is tearing it down (the runner exited)".to_owned()));
        }
        let limit = setup_timeout();
        let started = Instant::now();
        let mut launched_here = false;
        let mut pause = Duration::from_millis(1);
        loop {
            match self.read_state().map_err(|error| io("cannot read its state", error))? {
                Some(State::Ready { keeper, value }) => {
                    LEASES.lock().unwrap_or_else(PoisonError::into_inner).push(lease);
                    let origin = match launched_here {
                        true => format!("run: set up for this test by its keeper, pid {keeper}"),
                        false => format!("run: attached, set up earlier in this run by its keeper, pid {keeper}"),
                    };
                    return Ok(Attached { value, origin });
                }
                Some(State::Failed(why)) => return Err(fail(why)),
                None => {}
            }
            let keeper_lock =
                open(&self.path(KEEPER_LOCK)).map_err(|error| io("cannot open its keeper lock", error))?;
            if try_exclusive(&keeper_lock).map_err(|error| io("cannot take its keeper lock", error))? {
                // No keeper is alive: it was never started, or it died.
                if self.read_state().ok().flatten().is_some() {
                    continue;
                }
                if self.path(LAUNCHED).exists() {
                    let why = format!(
                        "its keeper exited before setting it up (killed?); it is not tried again in this run. Its \
                         output:\n{}",
                        self.log_tail()
                    );
                    let _ = self.publish(&State::Failed(why.clone()));
                    return Err(fail(why));
                }
                std::fs::write(self.path(LAUNCHED), std::process::id().to_string())
                    .map_err(|error| io("cannot mark its keeper started", error))?;
                if let Err(error) = launch(self, meta, keeper_lock) {
                    let why = format!("cannot start its keeper (this test binary, again): {error}");
                    let _ = self.publish(&State::Failed(why.clone()));
                    return Err(fail(why));
                }
                launched_here = true;
            }
            // From when its keeper was started, not from when this test began to wait: a
            // stuck setup fails every later test at once, not each after its own wait.
            let waited = std::fs::metadata(self.path(LAUNCHED))
                .and_then(|launched| launched.modified())
                .ok()
                .and_then(|launched| launched.elapsed().ok())
                .map_or(started.elapsed(), |since| since.max(started.elapsed()));
            if waited > limit {
                return Err(fail(format!(
                    "waited {limit:?} (TESTRIG_RUN_SETUP_TIMEOUT) for its keeper to set it up; its output so far:\n{}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(pause);
            // Looked at every 2 ms at most: a test waits for the keeper's first few tens of ms
            // on every run, and a late look is added to each of them.
            pause = (pause * 2).min(Duration::from_millis(2));
        }
    }

    /// Whether the run has this fixture's keeper, alive or done: its state written, or its
    /// keeper lock held (a keeper setting it up).
    pub(super) fn kept(&self) -> bool {
        if self.read_state().ok().flatten().is_some() {
            return true;
        }
        if !self.path(KEEPER_LOCK).exists() {
            return false;
        }
        open(&self.path(KEEPER_LOCK)).is_ok_and(|lock| !try_exclusive(&lock).unwrap_or(true))
    }

    pub(super) fn read_state(&self) -> std::io::Result<Option<State>> {
        let text = match std::fs::read_to_string(self.path(STATE)) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
        Ok(Some(match head.strip_prefix("ready ") {
            Some(pid) => State::Ready { keeper: pid.parse().unwrap_or(0), value: rest.to_owned() },
            None => State::Failed(rest.to_owned()),
        }))
    }

    /// Removes the fixture's files, all but the log when `keep_log` (a failed teardown's), and
    /// the run's directory if this was its last fixture.
    pub(super) fn remove(&self, keep_log: bool) {
        match keep_log {
            false => {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            true => {
                for file in [KEEPER_LOCK, LEASE, LAUNCHED, STATE] {
                    let _ = std::fs::remove_file(self.path(file));
                }
            }
        }
        if let Some(run) = self.dir.parent() {
            let _ = std::fs::remove_dir(run);
        }
    }

    /// Writes the state whole: a reader sees the old one or the new one, never half.
    pub(super) fn publish(&self, state: &State) -> std::io::Result<()> {
        let text = match state {
            State::Ready { keeper, value } => format!("ready {keeper}\n{value}"),
            State::Failed(why) => format!("failed\n{why}"),
        };
        crate::leaf::private_dir::write_whole(&self.path(STATE), text)
    }

    /// The last lines the keeper printed, for a message.
    pub(super) fn log_tail(&self) -> String {
        let tail = crate::leaf::private_dir::last_lines(&self.path(LOG), 20).join("\n    ");
        if tail.is_empty() {
            format!("    (nothing; {})", self.path(LOG).display())
        } else {
            format!("    {tail}")
        }
    }
}

pub(super) fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path)
}

/// Where a run's fixtures live: `TESTRIG_RUN_DIR`, else the temp dir.
pub(super) fn runs_root() -> PathBuf {
    std::env::var_os("TESTRIG_RUN_DIR").map_or_else(std::env::temp_dir, PathBuf::from)
}

pub(super) fn run_root(run: &str) -> PathBuf {
    let run: String = run.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    runs_root().join(format!("testrig-run-{run}"))
}

/// `<type>-<hash>`: readable, and two fixtures of one name apart. See [`identity`].
fn fixture_dir_name(meta: &FixtureMeta) -> String {
    let name: String = meta.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).take(40).collect();
    format!("{name}-{:016x}", identity(meta))
}

/// What tells a run fixture's instance apart in a run: its path inside its crate, the source
/// file it is written in, its definition (its package and code) and, the same way, the run
/// fixtures it requires. Not its crate, which is each test binary's own: the binaries of a run
/// that compile one fixture from one file (a `tests/common/mod.rs` each includes, a module of
/// the library they share) share its instance; a fixture of the same path in another file, with
/// other code, in another package, or on another fixture it requires, has its own.
fn identity(meta: &FixtureMeta) -> u64 {
    let in_crate = meta.id.split_once("::").map_or(meta.id, |(_, path)| path);
    let (definition, file) = meta.once.map_or((0, ""), |shared| (shared.definition, shared.file));
    // As written to reach it: `tests/sub/../common/mod.rs` (a `#[path]` from a subdirectory)
    // is `tests/common/mod.rs`.
    let file = lexically_normal(file);
    let requires: Vec<String> = meta.deps.iter().map(|dep| format!("{:016x}", identity(dep.get()))).collect();
    let key = format!("{in_crate}\u{1f}{file}\u{1f}{definition:016x}\u{1f}{}", requires.join(","));
    crate::leaf::fnv::fnv1a(key.as_bytes())
}

/// `path` with its `.` and `..` components resolved by name (the file need not exist here).
fn lexically_normal(path: &str) -> String {
    use std::path::Component;
    let mut kept: Vec<Component> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(kept.last(), Some(Component::Normal(_))) => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    kept.iter().collect::<PathBuf>().display().to_string()
}

/// `TESTRIG_RUN_SETUP_TIMEOUT` (seconds): how long a test waits for a run fixture's keeper
/// to set it up; 300 unless set.
pub(super) fn setup_timeout() -> Duration {
    seconds_from_env("TESTRIG_RUN_SETUP_TIMEOUT", 300)
}

/// `TESTRIG_RUN_GRACE` (seconds): how long a keeper waits, after the runner exited, for the
/// processes that still use its fixture (a killed runner leaves its tests running); 30.
pub(super) fn grace() -> Duration {
    seconds_from_env("TESTRIG_RUN_GRACE", 30)
}

/// `TESTRIG_RUN_TEARDOWN_TIMEOUT` (seconds): how long a keeper's teardown may take past the
/// grace before its watchdog ends it; 60.
pub(super) fn teardown_timeout() -> Duration {
    seconds_from_env("TESTRIG_RUN_TEARDOWN_TIMEOUT", 60)
}

fn seconds_from_env(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|value| value.trim().parse().ok()).unwrap_or(default))
}

/// Says something on the keeper's log (its stderr).
pub(super) fn note(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "testrig keeper {}: {message}", std::process::id());
}

/// Which run this process belongs to: `None` when the process is the run (`cargo test`).
pub(super) fn run_id() -> Option<&'static str> {
    static RUN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        if !cfg!(unix) {
            // No `flock` to share a keeper by: each process is its own run.
            return None;
        }
        std::env::var("NEXTEST_RUN_ID").ok().filter(|id| !id.is_empty())
    })
    .as_deref()
}

/// The values this process attached to (or kept), so its later tests share them.
pub(super) static ATTACHED: Mutex<Vec<(&'static FixtureMeta, SharedInstance)>> = Mutex::new(Vec::new());

/// Removes what runs that are over left behind: a fixture directory whose keeper is gone (its
/// lock free) and that no process uses (its lease free), as a keeper killed with `-9` leaves.
/// Run by each keeper as it starts, off any test's path.
pub(super) fn reap_stale_runs() {
    let Ok(runs) = std::fs::read_dir(runs_root()) else { return };
    let ours = run_id().map(run_root);
    for run in runs.flatten() {
        let is_run = run.file_name().to_str().is_some_and(|name| name.starts_with("testrig-run-"));
        if !is_run || ours.as_deref() == Some(run.path().as_path()) {
            continue;
        }
        let Ok(fixtures) = std::fs::read_dir(run.path()) else { continue };
        for fixture in fixtures.flatten() {
            // A minute old at least: a directory another run's test has just made has no
            // lock held yet.
            let old = fixture
                .metadata()
                .is_ok_and(|made| crate::leaf::private_dir::unmodified_for(&made, Duration::from_secs(60)));
            if !old {
                continue;
            }
            // Held while it is removed, so no process takes it up meanwhile.
            let held: Vec<File> = [KEEPER_LOCK, LEASE]
                .iter()
                .filter_map(|file| File::open(fixture.path().join(file)).ok())
                .filter(|lock| try_exclusive(lock).unwrap_or(false))
                .collect();
            let locks_there = [KEEPER_LOCK, LEASE].iter().filter(|file| fixture.path().join(file).exists()).count();
            if held.len() == locks_there {
                let _ = std::fs::remove_dir_all(fixture.path());
            }
            drop(held);
        }
        let _ = std::fs::remove_dir(run.path());
    }
}

#[cfg(test)]
mod tests {
    use super::lexically_normal;

    #[test]
    fn a_fixtures_file_is_named_the_same_however_it_was_reached() {
        assert_eq!(lexically_normal("tests/sub/../common/mod.rs"), "tests/common/mod.rs");
        assert_eq!(lexically_normal("./tests/common/mod.rs"), "tests/common/mod.rs");
        assert_eq!(lexically_normal("/src/a/./b/../c.rs"), "/src/a/c.rs");
        assert_eq!(lexically_normal("../shared/common.rs"), "../shared/common.rs", "nothing above to go back to");
    }
}
