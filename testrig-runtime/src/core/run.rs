//! Running one test: scope, runtime, setup, body, teardown, report.

use std::borrow::Cow;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::core::fixture::FixtureRef;
use crate::core::scope::Scope;
use crate::core::stack::FixtureStack;
use crate::core::test::{Body, Flavor, Test};
use crate::leaf::outcome::Outcome;
use crate::leaf::report::{self, Cause, Failure, Stage};
use crate::leaf::show::{Phase, Timeline};
use crate::leaf::unwind::Payload;

/// Checks a feature makes after a test's teardowns (the leak check), given the test, in its
/// scope: what failed. Listed at the crate root, which plugs the features in.
pub(crate) type AfterTeardown = fn(&Test, &Scope) -> Option<Failure>;

/// [`AfterTeardown`] on the test's runtime.
pub(crate) type AfterTeardownAsync =
    for<'a> fn(&'a Test, &'a Scope) -> Pin<Box<dyn Future<Output = Option<Failure>> + 'a>>;

/// A feature's hook in the scope of each case of a parametrized test, given the case's name
/// (insta's snapshot suffix). Listed at the crate root.
pub(crate) type CaseHook = fn(&'static str) -> Arc<dyn crate::core::scope::ScopeHook>;

/// What the features plug into every test's run. The crate root lists them and hands them to
/// [`run`] (dependency injection): the core names neither the root nor a feature.
#[doc(hidden)]
pub struct Plugged {
    /// Checked after a test's teardowns (tasks and threads it left running).
    pub(crate) after_teardown: &'static [AfterTeardown],
    /// [`Plugged::after_teardown`] on the test's runtime, for a test that has one (async, or
    /// sync with async fixtures).
    pub(crate) after_teardown_async: &'static [AfterTeardownAsync],
    /// Added to the scope of each case of a parametrized test (insta's snapshot suffix).
    pub(crate) case_hooks: &'static [CaseHook],
    /// What runs async tests and fixtures: none without the `async` feature (the macros
    /// reject both then).
    pub(crate) executor: Option<&'static dyn Executor>,
    /// A feature that may have started this process for another role than running the test
    /// (a run fixture's keeper): given the test first, it returns only if the process is the
    /// test's.
    pub(crate) other_role: Option<OtherRole>,
}

/// See [`Plugged::other_role`].
pub(crate) type OtherRole = fn(&Test, &[FixtureRef], &'static Plugged);

/// Runs a test and panics (failing it) if its setup, body or teardown failed.
#[track_caller]
pub(crate) fn run(test: Test, plugged: &'static Plugged) {
    let autouse = if test.autouse { crate::core::registry::autouse_for(test.name) } else { Vec::new() };
    check_autouse_leaves_exclusive(&autouse, test.exclusive);
    let plan = if autouse.is_empty() {
        Cow::Borrowed(test.plan)
    } else {
        Cow::Owned(crate::core::registry::with_autouse(autouse, test.plan))
    };
    if let Some(other_role) = plugged.other_role {
        other_role(&test, &plan, plugged);
    }
    let mut hooks: Vec<Arc<dyn crate::core::scope::ScopeHook>> =
        plan.iter().filter_map(|fixture| fixture.get().scope_hook).map(|make| make()).collect();
    let case_name = test.parametrized.map(|function| case_below(test.name, function));
    if let Some(case) = case_name {
        hooks.extend(plugged.case_hooks.iter().map(|make| make(case)));
    }
    // A fixture test called from another runs inside the caller's scope.
    let scope = Scope::with_hooks(test.name, hooks, Scope::current());
    scope.set_case(test.case);
    if let Some(case) = case_name {
        scope.set_case_name(case);
    }
    match test.timeout {
        None if plugged.executor.is_some_and(Executor::is_current) => {
            // Called from an async test: this thread's runtime cannot block on another, so the
            // called test runs on a thread of its own, and is reported here.
            let name = test.name;
            let ran = std::thread::scope(|threads| threads.spawn(|| run_in_scope(test, &plan, &scope, plugged)).join());
            match ran {
                Ok(failures) => report::finish(name, failures),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        None => {
            let name = test.name;
            report::finish(name, run_in_scope(test, &plan, &scope, plugged));
        }
        Some(limit) => run_watched(test, plan, Arc::clone(&scope), limit, plugged),
    }
    if let Some(reason) = scope.take_skipped() {
        // Called from another fixture test: that one skips too, rather than go on.
        if scope.is_nested() {
            crate::leaf::skipped::skip_caller(reason);
        }
        crate::leaf::skipped::report(scope.test_name(), &reason);
    }
}

/// Fails the test before any setup if an autouse fixture requires one it takes `&mut` or by
/// value: that fixture would see the instance the test changes or moves away.
#[track_caller]
fn check_autouse_leaves_exclusive(autouse: &[FixtureRef], exclusive: &[FixtureRef]) {
    for user in autouse {
        for dep in user.get().deps {
            if let Some(taken) = exclusive.iter().find(|taken| std::ptr::eq(taken.get(), dep.get())) {
                panic!(
                    "this test takes `{0}` as `&mut` or by value, so nothing else may use it, but the autouse fixture \
                     `{1}` requires it: take `&{0}`, or opt the test out with `#[testrig::test(no_autouse)]`",
                    taken.get().name,
                    user.get().name,
                );
            }
        }
    }
}

/// With `#[timeout]`: the test runs on a thread of its own while this one watches the clock.
/// An async stage that overruns is cancelled there and the teardowns still run, bounded by
/// the same limit. A blocking call cannot be interrupted: then this thread fails the test,
/// naming the stage, and leaves the stuck thread behind.
#[track_caller]
fn run_watched(
    test: Test,
    plan: Cow<'static, [FixtureRef]>,
    scope: Arc<Scope>,
    limit: Duration,
    plugged: &'static Plugged,
) {
    let asynchronous = matches!(test.body, Body::Async(_));
    let finished = Arc::new(Handoff::default());
    let done = Arc::clone(&finished);
    let in_thread = Arc::clone(&scope);
    // The harness names the test's thread after the test; panic messages keep saying so.
    let mut thread = std::thread::Builder::new();
    if let Some(name) = std::thread::current().name() {
        thread = thread.name(name.to_owned());
    }
    let spawned = thread.spawn(move || {
        done.put(catch_unwind(AssertUnwindSafe(|| run_in_scope(test, &plan, &in_thread, plugged))));
    });
    if let Err(error) = spawned {
        panic!("testrig: cannot start the thread of test `{}`: {error}", scope.test_name());
    }
    let mut waited = finished.take_within(limit);
    if asynchronous && waited.is_none() {
        // The test's own timer fires now; its teardowns get `limit` too.
        waited = finished.take_within(limit + Duration::from_secs(1));
    }
    match waited {
        // Reported here, on the caller's thread, so the failure points at the test.
        Some(Ok(failures)) => report::finish(scope.test_name(), failures),
        Some(Err(payload)) => std::panic::resume_unwind(payload),
        None => panic!(
            "fixture test `{}` failed:\n  - {}; the thread is blocked in a call that cannot be interrupted and was left running",
            scope.test_name(),
            Failure::new(scope.stage(), Cause::TimedOut(limit)),
        ),
    }
}

/// What the test's thread hands back to the thread watching its clock. A slot and a condvar
/// rather than a channel: std's channel is the biggest piece of code a sync test would link
/// otherwise (benches/compare_build.sh).
struct Handoff<T> {
    slot: std::sync::Mutex<Option<T>>,
    filled: std::sync::Condvar,
}

impl<T> Default for Handoff<T> {
    fn default() -> Self {
        Handoff { slot: std::sync::Mutex::new(None), filled: std::sync::Condvar::new() }
    }
}

impl<T> Handoff<T> {
    fn put(&self, value: T) {
        *self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(value);
        self.filled.notify_all();
    }

    /// The value, if it is put within `limit`.
    fn take_within(&self, limit: Duration) -> Option<T> {
        let slot = self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut slot, _) = self
            .filled
            .wait_timeout_while(slot, limit, |slot| slot.is_none())
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.take()
    }
}

/// Sets up, runs and tears down the test inside its scope; what failed, for the caller to
/// report (where the test is, also when this ran on a thread of its own).
fn run_in_scope(test: Test, plan: &[FixtureRef], scope: &Arc<Scope>, plugged: &Plugged) -> Vec<Failure> {
    let _entered = scope.enter();
    scope.set_runner_thread();
    // Before any fixture, so fixtures see the test's environment and overrides; what they
    // hold is dropped after the last teardown, also when something panicked.
    let guards: Vec<Box<dyn std::any::Any>> = test.on_enter.iter().filter_map(|on_enter| on_enter()).collect();
    let mut stack = FixtureStack::new(plan.len(), (test.configs)());
    let mut show = Timeline::new(test.name);
    let mut failures = Vec::new();
    let asynchronous = matches!(test.body, Body::Async(_));
    // An async test runs on a runtime of its flavor. A sync test needs one only when one of
    // its fixtures is async: a sync fixture's future is ready at the first poll.
    let own_runtime = if asynchronous {
        Some(executor(plugged).runtime(test.flavor, scope))
    } else {
        plan.iter()
            .any(|fixture| fixture.get().asynchronous)
            .then(|| executor(plugged).runtime(Flavor::CurrentThread, scope))
    };
    let runtime = own_runtime.as_deref();
    // On its runtime, past `#[timeout]`, an async test's stage is cancelled and its teardowns
    // still run. A sync body cannot be cancelled: `run_watched` watches a sync test instead.
    let limit = test.timeout.filter(|_| asynchronous);
    // Every future below is driven as a boxed `()` future, so `drive` and `drive_within` are
    // one function each, not one per future type (the runtime's code, which every test binary
    // links: benches/compare_build.sh).
    let mut ran = Ok(());
    match test.body {
        Body::Async(body) => {
            let set_up_and_run = Box::pin(async {
                ran = async {
                    stack.set_up(plan, &mut show).await?;
                    scope.set_stage(Stage::Body);
                    let started = show.start();
                    let paused = runtime.map(TestRuntime::pause_clock_for_body);
                    let outcome = crate::leaf::unwind::CatchUnwind::new(body(&stack)).await;
                    drop(paused);
                    body_failure(outcome, &mut show, started).map_or(Ok(()), Err)
                }
                .await;
            });
            let late = drive_within(runtime, limit, scope, set_up_and_run);
            failures.extend(late);
        }
        ref body => {
            drive(runtime, Box::pin(async { ran = stack.set_up(plan, &mut show).await }));
            if ran.is_ok() {
                // Outside the runtime's `block_on`, but in its context: the body's own
                // `Handle::current()` and `block_on` find the runtime its fixtures were set up on.
                let _context = runtime.map(TestRuntime::enter);
                scope.set_stage(Stage::Body);
                let started = show.start();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    crate::leaf::unwind::__rust_begin_short_backtrace(|| body.call_sync(&stack))
                }));
                ran = body_failure(outcome, &mut show, started).map_or(Ok(()), Err);
            }
        }
    }
    failures.extend(ran.err());
    // A `skip!` in a setup or the body: not a failure; said after the teardowns.
    if let Some(reason) = crate::leaf::skipped::take_skip(&mut failures) {
        scope.set_skipped(reason);
    }
    // A `#[should_panic]` test that panicked did what it should: not a failure to keep its
    // databases for or print its logs for (the harness still sees the panic).
    if !failures.is_empty() && !test.expects_panic {
        scope.mark_failed();
    }
    let mut torn_down = Vec::new();
    let late = drive_within(runtime, limit, scope, Box::pin(stack.tear_down(&mut show, &mut torn_down)));
    failures.extend(torn_down);
    failures.extend(late);
    if runtime.is_some() {
        // On the test's runtime, also a sync test's (its fixtures are async): a task it left
        // may still finish within the checks' grace, which it cannot while the thread sleeps
        // outside the runtime (a task queued on a current-thread runtime runs only in
        // `block_on`).
        drive(
            runtime,
            Box::pin(async {
                for check in plugged.after_teardown_async {
                    failures.extend(check(&test, scope).await);
                }
            }),
        );
    } else {
        failures.extend(plugged.after_teardown.iter().filter_map(|check| check(&test, scope)));
    }
    // Its tasks and threads end here, while the test's scope and environment still hold.
    drop(own_runtime);
    drop(stack);
    if !failures.is_empty() {
        scope.report_failure();
    }
    scope.close();
    // In reverse, as fixtures are torn down.
    for guard in guards.into_iter().rev() {
        drop(guard);
    }
    show.print();
    failures
}

/// What runs futures on a real runtime, [`Plugged::executor`] (tokio, with the `async`
/// feature). The core drives only sync fixtures without one: their futures
/// are ready at the first poll.
pub(crate) trait Executor: Sync {
    /// Whether this thread is inside one of its runtimes (an async test calling a fixture
    /// test, which then runs on a thread of its own).
    fn is_current(&self) -> bool;
    /// A runtime for one test of `flavor`, every thread it starts inside `scope`.
    fn runtime(&self, flavor: Flavor, scope: &Arc<Scope>) -> Box<dyn TestRuntime>;
}

/// A future the core hands an executor: boxed, so the executor is not generic over the test.
pub(crate) type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// What is undone when it is dropped (a runtime context entered, a clock paused).
pub(crate) trait Undo {}
impl<T> Undo for T {}

/// One test's runtime, built by an [`Executor`].
pub(crate) trait TestRuntime {
    /// Runs `work` to completion on this thread.
    fn block_on(&self, work: LocalFuture<'_, ()>);
    /// Makes the runtime this thread's current one until the guard is dropped (a sync body).
    fn enter(&self) -> Box<dyn Undo + '_>;
    /// `work`, or `Err` once `limit` has passed.
    fn timeout<'a>(&'a self, limit: Duration, work: LocalFuture<'a, ()>) -> LocalFuture<'a, Result<(), ()>>;
    /// Pauses the clock while the body runs, for a `start_paused` test; resumed on drop.
    fn pause_clock_for_body(&self) -> Box<dyn Undo>;
}

/// The executor of async tests and fixtures. Without one the macro rejects both, so nothing
/// the core runs can ask for it.
fn executor(plugged: &Plugged) -> &'static dyn Executor {
    match plugged.executor {
        Some(executor) => executor,
        None => unreachable!("testrig-macros rejects async tests and fixtures without the `async` feature"),
    }
}

/// Drives `work`, bounded by the test's timeout on its runtime: past it, `work` is dropped
/// (cancelled) and the failure names the stage it was in.
fn drive_within(
    runtime: Option<&dyn TestRuntime>,
    limit: Option<Duration>,
    scope: &Scope,
    work: LocalFuture<'_, ()>,
) -> Option<Failure> {
    let (Some(limit), Some(runtime)) = (limit, runtime) else {
        drive(runtime, work);
        return None;
    };
    let mut in_time = Ok(());
    runtime.block_on(Box::pin(async { in_time = runtime.timeout(limit, work).await }));
    in_time.err().map(|()| Failure::new(scope.stage(), Cause::TimedOut(limit)))
}

fn body_failure(
    outcome: Result<Outcome, Payload>,
    show: &mut Timeline,
    started: Option<std::time::Instant>,
) -> Option<Failure> {
    show.record(Phase::Test, "body", started, matches!(outcome, Ok(Ok(()))));
    match outcome {
        Ok(Ok(())) => None,
        Ok(Err(returned)) => Some(Failure::new(Stage::Body, Cause::Returned(returned))),
        Err(payload) => Some(Failure::new(Stage::Body, Cause::Panic(payload))),
    }
}

/// Completes `future` on `runtime`, or, when the test needs none, by polling it once: every
/// step in it is a sync fixture, so it is ready at the first poll.
pub(crate) fn drive(runtime: Option<&dyn TestRuntime>, mut future: LocalFuture<'_, ()>) {
    if let Some(runtime) = runtime {
        return runtime.block_on(future);
    }
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(()) => {}
        Poll::Pending => unreachable!("a plan of sync fixtures returned a pending future"),
    }
}

/// The case a parametrized test's name names: what follows its function's name
/// (`sized::case_1_small` → `case_1_small`, `grid::x_1_1::y_2_20` → `x_1_1::y_2_20`).
fn case_below(name: &'static str, function: &str) -> &'static str {
    let marker = format!("::{function}::");
    match name.rfind(&marker) {
        Some(at) => &name[at + marker.len()..],
        None => name.rsplit("::").next().unwrap_or(name),
    }
}
