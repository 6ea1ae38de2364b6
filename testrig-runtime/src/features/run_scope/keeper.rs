//! A run fixture's keeper: the test binary started again for exactly the test that needed the
//! fixture (whose plan has it; a feature's own run fixture is found among the registered
//! ones), told by its environment to set up one fixture, keep it, and tear it down after the
//! run instead of running the test.
//!
//! When the run ends is the runner's to tell: the keeper watches nextest's runner (the nearest
//! `cargo-nextest` ancestor of the first test), and tears down once it is gone and no process holds the
//! fixture's lease, or a grace (`TESTRIG_RUN_GRACE`, 30 s) after it is gone, for tests the
//! runner left running when it was killed. A watchdog ends the keeper if teardown overruns
//! (`TESTRIG_RUN_TEARDOWN_TIMEOUT`, 60 s): nothing is left running past those bounds.

use std::fs::File;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::run_dir::{self, note, FixtureDir, State};
use crate::core::fixture::{FixtureMeta, FixtureRef, Origin, SetupFuture, Shared, SharedInstance};
use crate::core::run::Plugged;
use crate::core::test::Test;
use crate::leaf::report::Cause;

/// The environment a keeper is started with.
const KEEPER: &str = "TESTRIG_RUN_KEEPER";
const KEEPER_DIR: &str = "TESTRIG_RUN_KEEPER_DIR";
const KEEPER_LOCK_FD: &str = "TESTRIG_RUN_KEEPER_LOCK_FD";
/// The runner every keeper of a run watches, as `<pid>:<start time>`; the first test's parent.
const RUNNER: &str = "TESTRIG_RUN_RUNNER";

/// What this process keeps, when it is a keeper.
struct Keeping {
    fixture_id: String,
    dir: FixtureDir,
}

fn keeping() -> Option<&'static Keeping> {
    static KEEPING: OnceLock<Option<Keeping>> = OnceLock::new();
    KEEPING
        .get_or_init(|| {
            let fixture_id = std::env::var(KEEPER).ok()?;
            let dir = FixtureDir { dir: std::env::var_os(KEEPER_DIR)?.into() };
            Some(Keeping { fixture_id, dir })
        })
        .as_ref()
}

/// This keeper's fixture directory.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(super) fn own_dir() -> Option<std::path::PathBuf> {
    keeping().map(|keeping| keeping.dir.dir.clone())
}

/// Whether this process is `meta`'s keeper.
pub(super) fn keeps(meta: &FixtureMeta) -> bool {
    keeping().is_some_and(|keeping| keeping.fixture_id == meta.id)
}

/// The instance this keeper set up, until its teardown.
static KEPT: Mutex<Option<(&'static FixtureMeta, Shared, SharedInstance)>> = Mutex::new(None);

/// Sets the kept fixture up (in the keeper) and writes its value, or why it failed, for the
/// run's tests.
pub(super) async fn set_up(
    dir: &FixtureDir,
    meta: &'static FixtureMeta,
    shared: Shared,
    setup: SetupFuture<'_>,
    encode: fn(&(dyn std::any::Any + Send + Sync)) -> Result<String, String>,
) -> Result<(SharedInstance, Origin), Cause> {
    let instance = match setup.await {
        Ok(instance) => (shared.share)(instance),
        Err(cause) => {
            let why = format!("its setup {} (in its keeper, pid {}): {cause}", cause.verb(), std::process::id());
            let _ = dir.publish(&State::Failed(why));
            return Err(cause);
        }
    };
    let published = match encode(&*instance) {
        Ok(value) => dir.publish(&State::Ready { keeper: std::process::id(), value }).map_err(|e| e.to_string()),
        Err(error) => {
            let why = format!("its value cannot be written for the run's other processes: {error}");
            let _ = dir.publish(&State::Failed(why.clone()));
            Err(why)
        }
    };
    *KEPT.lock().unwrap_or_else(PoisonError::into_inner) = Some((meta, shared, instance.clone()));
    if let Err(why) = published {
        return Err(Cause::Error(why.into()));
    }
    Ok((instance, Origin::Borrowed("run: set up here, in its keeper")))
}

/// Elsewhere each process is its own run, and no keeper is started.
#[cfg(not(unix))]
pub(super) fn launch(_dir: &FixtureDir, _meta: &FixtureMeta, _keeper_lock: File) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "a run fixture's keeper needs Unix"))
}

/// Starts `meta`'s keeper, handing it `keeper_lock` (held): the test binary again, for the test
/// on this thread ([`keeper_args`]), in a process group of its own (nextest's signals to a
/// test's group spare it), its output to the fixture's log, nothing of the test's pipes.
#[cfg(unix)]
pub(super) fn launch(dir: &FixtureDir, meta: &FixtureMeta, keeper_lock: File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    use std::os::unix::process::CommandExt;
    let runner = match std::env::var(RUNNER) {
        // A keeper starting the keeper of a fixture its own requires: the run's runner still.
        Ok(runner) => runner,
        Err(_) => Runner::of_this_run().to_string(),
    };
    let log = File::create(dir.path(run_dir::LOG))?;
    let fd = keeper_lock.as_raw_fd();
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command
        .args(keeper_args())
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .env(KEEPER, meta.id)
        .env(KEEPER_DIR, &dir.dir)
        .env(KEEPER_LOCK_FD, fd.to_string())
        .env(RUNNER, runner)
        .process_group(0);
    // SAFETY: between fork and exec only `fcntl`, which is async-signal-safe, on a descriptor
    // this process keeps open until after `spawn` returns.
    unsafe {
        command.pre_exec(move || {
            // The keeper inherits the lock: the same open file, so the same `flock`.
            if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    // Not waited for: the keeper outlives this test.
    drop(child);
    drop(keeper_lock);
    Ok(())
}

/// The arguments the keeper runs the test binary with: exactly the test running on this
/// thread (libtest names a test's thread after it; a fixture test called from another runs on
/// that one's), alone, ignored or not as it was; else this process's own arguments.
fn keeper_args() -> Vec<std::ffi::OsString> {
    let given: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let current = std::thread::current();
    let Some(test) = current.name().filter(|name| *name != "main") else {
        return given.into_iter().chain(["--test-threads=1".into()]).collect();
    };
    let mut args: Vec<std::ffi::OsString> =
        vec![test.into(), "--exact".into(), "--nocapture".into(), "--test-threads=1".into()];
    args.extend(given.into_iter().filter(|arg| arg == "--ignored" || arg == "--include-ignored"));
    args
}

/// In a keeper: sets up its fixture through `test`'s plan, keeps it for the run and tears it
/// down after, then exits, never running the test. In any other process: returns at once.
pub(crate) fn serve_if_keeper(test: &Test, plan: &[FixtureRef], plugged: &'static Plugged) {
    let Some(keeping) = keeping() else { return };
    // One test serves; another the harness starts here (run with a filter) only waits for the
    // process to end, its body never run.
    static SERVING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SERVING.swap(true, std::sync::atomic::Ordering::AcqRel) {
        loop {
            std::thread::park();
        }
    }
    // Not inherited further (a server this keeper starts must not hold its liveness).
    #[cfg(unix)]
    if let Some(fd) = std::env::var(KEEPER_LOCK_FD).ok().and_then(|fd| fd.parse::<i32>().ok()) {
        // SAFETY: fcntl on a descriptor number; a wrong one fails harmlessly.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let runner = std::env::var(RUNNER).ok().and_then(|text| Runner::parse(&text));
    let Some(runner) = runner else {
        let _ = keeping.dir.publish(&State::Failed("its keeper was started without the runner to watch".to_owned()));
        std::process::exit(2);
    };
    let dir = &keeping.dir;
    note(format_args!("keeping `{}` for `{}`, watching runner {runner}", keeping.fixture_id, test.name));
    start_watchdog(runner, dir);
    run_dir::reap_stale_runs();
    // A feature's own run fixture (the database handout) is in no test's plan: found among
    // the registered fixtures.
    let target = plan.iter().copied().find(|fixture| fixture.get().id == keeping.fixture_id).or_else(|| {
        inventory::iter::<crate::core::fixture::RegisteredFixture>
            .into_iter()
            .find(|registered| registered.fixture.id == keeping.fixture_id)
            .map(|registered| FixtureRef::new(registered.fixture))
    });
    let Some(target) = target else {
        let why = format!("the test `{}` its keeper was started through does not plan it", test.name);
        let _ = dir.publish(&State::Failed(why));
        wait_and_leave(dir, runner, Ok(()));
    };
    // The target and what it requires, in setup order: the planner's own walk.
    let subplan = crate::core::plan::walked(&[target]).order().to_vec();
    let scope = crate::core::scope::Scope::new(test.name);
    let runtime = match plugged.executor {
        Some(executor) if subplan.iter().any(|fixture| fixture.get().asynchronous) => {
            Some(executor.runtime(crate::core::test::Flavor::CurrentThread, &scope))
        }
        _ => None,
    };
    let mut torn_down = Ok(());
    let mut lease = None;
    let keep = Box::pin(async {
        let mut stack = crate::core::stack::FixtureStack::new(subplan.len(), Vec::new());
        let mut show = crate::leaf::show::Timeline::new(test.name);
        if let Err(failure) = stack.set_up(&subplan, &mut show).await {
            if dir.read_state().ok().flatten().is_none() {
                let _ = dir.publish(&State::Failed(format!("in its keeper (pid {}): {failure}", std::process::id())));
            }
        }
        show.print();
        // On the keeper's runtime: what the setup spawned on it keeps running meanwhile. The
        // lease stays held through teardown: a late test then hears the run is over.
        lease = run_over(runner, dir).await;
        drop(stack);
        run_dir::ATTACHED.lock().unwrap_or_else(PoisonError::into_inner).clear();
        torn_down = tear_down_kept().await;
    });
    crate::core::run::drive(runtime.as_deref(), keep);
    drop(runtime);
    leave(dir, torn_down, lease);
}

async fn tear_down_kept() -> Result<(), String> {
    let Some((meta, shared, instance)) = KEPT.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return Ok(());
    };
    let Some(instance) = (shared.take_back)(instance) else {
        return Err(format!("`{}` is still in use in its keeper: not torn down", meta.name));
    };
    note(format_args!("tearing `{}` down", meta.name));
    crate::core::stack::tear_down_instance(meta, instance)
        .await
        .map_err(|cause| format!("teardown of `{}` {}: {cause}", meta.name, cause.verb()))
}

/// Waits for the run to be over: the runner gone, then the lease free (every process that
/// attached has exited) or the grace over.
/// Returns the lease, held exclusively, when it could be taken.
async fn run_over(runner: Runner, dir: &FixtureDir) -> Option<File> {
    while runner.alive() {
        pause(Duration::from_millis(100)).await;
    }
    let grace = run_dir::grace();
    let gone = Instant::now();
    let lease = run_dir::open(&dir.path(run_dir::LEASE)).ok()?;
    loop {
        if crate::leaf::file_lock::try_exclusive(&lease).unwrap_or(true) {
            return Some(lease);
        }
        if gone.elapsed() > grace {
            note(format_args!("processes of the run still use it {grace:?} after the runner exited: tearing down"));
            return None;
        }
        pause(Duration::from_millis(50)).await;
    }
}

/// A pause that lets the keeper's runtime run its other tasks, if it has one.
async fn pause(duration: Duration) {
    #[cfg(feature = "async")]
    if tokio::runtime::Handle::try_current().is_ok() {
        return tokio::time::sleep(duration).await;
    }
    std::thread::sleep(duration);
}

/// After a setup that failed or found nothing to keep: stays until the run is over, so its
/// state keeps answering the run's tests, then leaves.
fn wait_and_leave(dir: &FixtureDir, runner: Runner, torn_down: Result<(), String>) -> ! {
    let mut lease = None;
    crate::core::run::drive(None, Box::pin(async { lease = run_over(runner, dir).await }));
    leave(dir, torn_down, lease)
}

/// Removes the fixture's files (all but the log, if the teardown failed) and the run's
/// directory if it was the last, and exits.
fn leave(dir: &FixtureDir, torn_down: Result<(), String>, _lease: Option<File>) -> ! {
    let code = match torn_down {
        Ok(()) => 0,
        Err(why) => {
            note(format_args!("{why}; this log stays at {}", dir.path(run_dir::LOG).display()));
            1
        }
    };
    dir.remove(code != 0);
    std::process::exit(code)
}

/// Ends the keeper if it is still there long after the run: a setup or teardown that never
/// returns must not keep it (or what it started) running.
fn start_watchdog(runner: Runner, dir: &'static FixtureDir) {
    let bound = run_dir::grace() + run_dir::teardown_timeout();
    let _ = std::thread::Builder::new().name("testrig-keeper-watchdog".to_owned()).spawn(move || {
        while runner.alive() {
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(bound);
        note(format_args!("still running {bound:?} after the runner exited: leaving"));
        dir.remove(false);
        std::process::exit(3);
    });
}

/// The runner of the run: a process, told apart from a later one with its pid by its start
/// time (Linux: `/proc/<pid>/stat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Runner {
    pid: u32,
    started: u64,
}

impl Runner {
    /// The process running this run's tests: the nearest ancestor that is nextest's runner
    /// (`cargo-nextest`; a target runner or wrapper script may sit between), else the parent.
    #[cfg(unix)]
    fn of_this_run() -> Runner {
        // SAFETY: getppid has no preconditions.
        let parent = unsafe { libc::getppid() } as u32;
        let mut pid = parent;
        for _ in 0..16 {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim_end().starts_with("cargo-nextest") {
                return Runner { pid, started: start_time(pid).unwrap_or(0) };
            }
            match parent_of(pid) {
                Some(next) if next > 1 => pid = next,
                _ => break,
            }
        }
        Runner { pid: parent, started: start_time(parent).unwrap_or(0) }
    }

    #[cfg(not(unix))]
    fn of_this_run() -> Runner {
        Runner { pid: 0, started: 0 }
    }

    fn parse(text: &str) -> Option<Runner> {
        let (pid, started) = text.split_once(':')?;
        Some(Runner { pid: pid.parse().ok()?, started: started.parse().ok()? })
    }

    pub(super) fn alive(&self) -> bool {
        if self.pid <= 1 {
            return false;
        }
        match start_time(self.pid) {
            Some(started) => self.started == 0 || started == self.started,
            // Without /proc: whether a process of that pid exists.
            // SAFETY: kill with signal 0 only checks.
            #[cfg(unix)]
            None if !std::path::Path::new("/proc/self/stat").exists() => unsafe {
                libc::kill(self.pid as libc::pid_t, 0) == 0
            },
            None => false,
        }
    }
}

impl std::fmt::Display for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.pid, self.started)
    }
}

/// A process's parent: field 4 of `/proc/<pid>/stat`.
fn parent_of(pid: u32) -> Option<u32> {
    stat_field(pid, 4)?.parse().ok()
}

/// Field `number` (as `proc(5)` counts, from 1) of `/proc/<pid>/stat`, read after the command
/// name (field 2, which may hold spaces and parentheses).
fn stat_field(pid: u32, number: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(number.checked_sub(3)?).map(str::to_owned)
}

/// A process's start time, in clock ticks since boot: field 22 of `/proc/<pid>/stat`.
fn start_time(pid: u32) -> Option<u64> {
    stat_field(pid, 22)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runner_round_trips_and_this_process_is_alive() {
        let me = Runner { pid: std::process::id(), started: start_time(std::process::id()).unwrap_or(0) };
        assert_eq!(Runner::parse(&me.to_string()), Some(me));
        assert!(me.alive());
        assert!(!Runner { pid: me.pid, started: me.started + 1 }.alive() || me.started == 0);
    }
}
