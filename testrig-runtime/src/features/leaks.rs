//! The leak guard: tasks started with [`crate::spawn`] and threads started with
//! [`crate::thread::spawn`] that still run when the test's teardown is over fail the test,
//! naming where they were started (Nova's greenthread leak check).

use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::core::scope::Scope;
use crate::leaf::report::{Cause, Failure, Stage};

/// What a test started, in its scope.
#[derive(Default)]
struct Started(Mutex<Vec<Spawned>>);

struct Spawned {
    kind: &'static str,
    location: &'static Location<'static>,
    running: Arc<AtomicBool>,
}

/// Held by a task's future or a thread's closure: dropping it — the task completed or was
/// aborted, the thread returned or unwound — marks it stopped.
pub(crate) struct RunningFlag(Arc<AtomicBool>);

impl Drop for RunningFlag {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Records a task or thread being started at `location` by the current test, if any.
pub(crate) fn track(kind: &'static str, location: &'static Location<'static>) -> Option<RunningFlag> {
    Scope::with_current(|scope| {
        let scope = scope?;
        let running = Arc::new(AtomicBool::new(true));
        let started = scope.extension(Started::default);
        let mut started = started.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Keeps the list to what may still run in tests that start many short tasks.
        started.retain(|spawned| spawned.running.load(Ordering::Acquire));
        started.push(Spawned { kind, location, running: running.clone() });
        Some(RunningFlag(running))
    })
}

/// How long what just finished gets to be seen as finished: a task woken in the last instant,
/// a thread between its last statement and its end.
const GRACE: Duration = Duration::from_millis(50);
const POLL: Duration = Duration::from_millis(2);

/// The leak failure of the test, after waiting out the grace period on the test's runtime.
#[cfg(feature = "async")]
pub(crate) async fn check_async(scope: &Scope) -> Option<Failure> {
    let mut waited = Duration::ZERO;
    while any_running(scope) && waited < GRACE {
        tokio::time::sleep(POLL).await;
        waited += POLL;
    }
    still_running(scope)
}

/// The leak check of `test` after its teardowns, unless it allows leaks (see
/// `AFTER_TEARDOWN` in lib.rs).
pub(crate) fn after_teardown(test: &crate::core::test::Test, scope: &Scope) -> Option<Failure> {
    if test.allow_leaks {
        return None;
    }
    check_blocking(scope)
}

/// [`after_teardown`] on the test's runtime.
#[cfg(feature = "async")]
pub(crate) fn after_teardown_async<'a>(
    test: &'a crate::core::test::Test,
    scope: &'a Scope,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Failure>> + 'a>> {
    Box::pin(async move {
        if test.allow_leaks {
            return None;
        }
        check_async(scope).await
    })
}

/// [`check_async`] for a test without a runtime to drive.
pub(crate) fn check_blocking(scope: &Scope) -> Option<Failure> {
    let mut waited = Duration::ZERO;
    while any_running(scope) && waited < GRACE {
        std::thread::sleep(POLL);
        waited += POLL;
    }
    still_running(scope)
}

/// Whether anything the test started still runs: the poll of the grace period, which builds
/// no message.
fn any_running(scope: &Scope) -> bool {
    scope.get_extension::<Started>().is_some_and(|started| {
        started
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|spawned| spawned.running.load(Ordering::Acquire))
    })
}

fn still_running(scope: &Scope) -> Option<Failure> {
    let started = scope.get_extension::<Started>()?;
    let started = started.0.lock().unwrap_or_else(PoisonError::into_inner);
    let running: Vec<String> = started
        .iter()
        .filter(|spawned| spawned.running.load(Ordering::Acquire))
        .map(|spawned| format!("a {} started at {}", spawned.kind, spawned.location))
        .collect();
    if running.is_empty() {
        return None;
    }
    let message = format!(
        "{} still running after teardown: {} (await or stop it before the test ends, or opt out with `#[testrig::test(allow_leaks)]`)",
        running.len(),
        crate::leaf::report::Joined(&running, "; "),
    );
    Some(Failure::new(Stage::LeakCheck, Cause::Error(message.into())))
}
