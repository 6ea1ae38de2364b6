//! How a test runs, under what a careful user writes: timeouts in every stage and flavor
//! (paused clocks included), leaks, `skip!` in async setups, panicking async teardowns,
//! fixture tests called from one another, sync bodies on their fixtures' runtime, the order
//! attribute fixtures are set up in, `#[fixture(crate = ..)]`.
//!
//! Most cases are fixture tests nested in a plain `#[test]` that calls them and checks how
//! they end. Every counter is a static of its own case (tests run in parallel, and a test with
//! `#[timeout]` runs on a thread of its own, so thread-locals would not see it).
#![allow(unnameable_test_items)] // cases nested in the tests that check how they end

mod support;
use support::panic_text;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use testrig::logs::Logs;
use testrig::prelude::*;
use testrig::BoxError;

/// Runs `case`, which must fail; its message.
fn failure_of(case: fn()) -> String {
    match catch_unwind(AssertUnwindSafe(case)) {
        Ok(()) => panic!("the case passed, but it must fail"),
        Err(payload) => panic_text(payload),
    }
}

/// Runs `case`, which must pass.
fn passes(case: fn()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(case)) {
        panic!("the case failed: {}", panic_text(payload));
    }
}

/// A sync fixture counting its setups and teardowns in its own statics.
macro_rules! counted {
    ($name:ident, $set_up:ident, $torn_down:ident) => {
        static $set_up: AtomicUsize = AtomicUsize::new(0);
        static $torn_down: AtomicUsize = AtomicUsize::new(0);

        pub struct $name;

        #[fixture]
        impl $name {
            fn setup() -> Self {
                $set_up.fetch_add(1, Ordering::SeqCst);
                $name
            }
            fn teardown(self) {
                $torn_down.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
}

/// An async fixture whose setup never ends.
pub struct HangsInSetup;

#[fixture]
impl HangsInSetup {
    async fn setup() -> Self {
        std::future::pending::<()>().await;
        HangsInSetup
    }
}

/// An async fixture whose teardown never ends.
pub struct HangsInTeardown;

#[fixture]
impl HangsInTeardown {
    async fn setup() -> Self {
        tokio::task::yield_now().await;
        HangsInTeardown
    }
    async fn teardown(self) {
        std::future::pending::<()>().await;
    }
}

// ---------------------------------------------------------------------------------------
// #[timeout]: a hang in setup, in the body, in teardown; each flavor.
// ---------------------------------------------------------------------------------------

counted!(BeforeSetupHang, BEFORE_SETUP_HANG_UP, BEFORE_SETUP_HANG_DOWN);

/// A hung async setup is cancelled and what was set up before it is still torn down.
#[test]
fn async_setup_hang_times_out_and_tears_down_what_was_set_up() {
    #[testrig::test]
    #[timeout(1)]
    async fn case(_before: &BeforeSetupHang, _hangs: &HangsInSetup) {
        unreachable!("the body of a test whose setup hangs");
    }
    let message = failure_of(case);
    assert!(message.contains("setup of fixture `HangsInSetup` timed out"), "{message}");
    assert!(!message.contains("cannot be interrupted"), "an async setup is cancellable: {message}");
    assert_eq!(BEFORE_SETUP_HANG_UP.load(Ordering::SeqCst), 1);
    assert_eq!(
        BEFORE_SETUP_HANG_DOWN.load(Ordering::SeqCst),
        1,
        "the fixture set up before the hang was not torn down"
    );
}

counted!(BeforeTeardownHang, BEFORE_TEARDOWN_HANG_UP, BEFORE_TEARDOWN_HANG_DOWN);

/// A hung async teardown is cancelled, named, and fails a test whose body passed.
#[test]
fn async_teardown_hang_times_out_naming_the_teardown() {
    #[testrig::test]
    #[timeout(1)]
    async fn case(_before: &BeforeTeardownHang, _hangs: &HangsInTeardown) {}
    let message = failure_of(case);
    assert!(message.contains("teardown of fixture `HangsInTeardown` timed out"), "{message}");
    assert!(!message.contains("test body"), "the body passed: {message}");
    assert!(!message.contains("cannot be interrupted"), "an async teardown is cancellable: {message}");
}

/// The body hangs (its limit) and then a teardown hangs (its own limit): both are cancelled
/// and both are named; the watching thread waits long enough for the teardown's limit.
#[test]
fn body_hang_then_teardown_hang_both_reported() {
    #[testrig::test]
    #[timeout(1)]
    async fn case(_hangs: &HangsInTeardown) {
        std::future::pending::<()>().await;
    }
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert!(message.contains("teardown of fixture `HangsInTeardown` timed out"), "{message}");
    assert!(!message.contains("cannot be interrupted"), "{message}");
}

counted!(MultiBodyHang, MULTI_BODY_HANG_UP, MULTI_BODY_HANG_DOWN);

#[test]
fn multi_thread_body_hang_times_out_and_tears_down() {
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    #[timeout(1)]
    async fn case(_torn: &MultiBodyHang) {
        assert_eq!(tokio::runtime::Handle::current().runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
        std::future::pending::<()>().await;
    }
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert_eq!(MULTI_BODY_HANG_DOWN.load(Ordering::SeqCst), 1);
}

#[test]
fn multi_thread_teardown_hang_times_out() {
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    #[timeout(1)]
    async fn case(_hangs: &HangsInTeardown) {}
    let message = failure_of(case);
    assert!(message.contains("teardown of fixture `HangsInTeardown` timed out"), "{message}");
}

#[test]
fn multi_thread_setup_hang_times_out() {
    #[testrig::test(flavor = "multi_thread")]
    #[timeout(1)]
    async fn case(_hangs: &HangsInSetup) {}
    let message = failure_of(case);
    assert!(message.contains("setup of fixture `HangsInSetup` timed out"), "{message}");
}

/// A sync test whose async fixture hangs: the watcher fails it at its limit, naming the setup.
#[test]
fn sync_test_with_a_hung_async_fixture_times_out_naming_the_setup() {
    #[testrig::test]
    #[timeout(1)]
    fn case(_hangs: &HangsInSetup) {
        unreachable!("the body of a test whose setup hangs");
    }
    let message = failure_of(case);
    assert!(message.contains("setup of fixture `HangsInSetup` timed out"), "{message}");
}

// start_paused = true with #[timeout]: the limit is wall-clock time.

#[test]
fn paused_test_setup_hang_times_out() {
    #[testrig::test(start_paused = true)]
    #[timeout(1)]
    async fn case(_hangs: &HangsInSetup) {}
    let message = failure_of(case);
    assert!(message.contains("setup of fixture `HangsInSetup` timed out"), "{message}");
}

#[test]
fn paused_test_teardown_hang_times_out() {
    #[testrig::test(start_paused = true)]
    #[timeout(1)]
    async fn case(_hangs: &HangsInTeardown) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let message = failure_of(case);
    assert!(message.contains("teardown of fixture `HangsInTeardown` timed out"), "{message}");
    assert!(!message.contains("test body"), "the paused hour of sleep passed: {message}");
}

/// A teardown that waits on a thread with a tokio timeout of its own: correct only if the
/// clock runs again after the body (paused, that timeout would fire at once).
pub struct WaitsInTeardown;

#[fixture]
impl WaitsInTeardown {
    fn setup() -> Self {
        WaitsInTeardown
    }
    async fn teardown(self) -> Result<(), BoxError> {
        let (sent, received) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let _ = sent.send(());
        });
        match tokio::time::timeout(Duration::from_secs(30), received).await {
            Ok(Ok(())) => Ok(()),
            _ => Err("the teardown's own timeout fired: the clock was still paused".into()),
        }
    }
}

#[testrig::test(start_paused = true)]
#[timeout(30)]
async fn paused_test_teardown_runs_in_real_time(_waits: &WaitsInTeardown) {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// The body times out on the wall clock while the tokio clock is paused; the teardown after it
/// must see the clock running again.
#[test]
fn paused_test_body_timeout_resumes_the_clock_for_teardown() {
    #[testrig::test(start_paused = true)]
    #[timeout(1)]
    async fn case(_waits: &WaitsInTeardown) {
        std::future::pending::<()>().await;
    }
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert!(!message.contains("teardown of fixture"), "{message}");
}

/// An hour of paused sleep under a wall-clock limit of a few seconds passes.
#[testrig::test(start_paused = true)]
#[timeout(20)]
async fn paused_hour_of_sleep_under_a_timeout_passes() {
    let before = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(before.elapsed() >= Duration::from_secs(3600));
}

// ---------------------------------------------------------------------------------------
// A sync test whose fixture is async: the body runs in the runtime's context.
// ---------------------------------------------------------------------------------------

pub struct AsyncMade(u32);

#[fixture]
impl AsyncMade {
    async fn setup() -> Self {
        tokio::task::yield_now().await;
        AsyncMade(7)
    }
}

#[testrig::test]
fn sync_body_can_block_on_the_fixtures_runtime(made: &AsyncMade) {
    let handle = tokio::runtime::Handle::current();
    assert_eq!(handle.runtime_flavor(), tokio::runtime::RuntimeFlavor::CurrentThread);
    let got = handle.block_on(async {
        tokio::task::yield_now().await;
        made.0 * 6
    });
    assert_eq!(got, 42);
}

/// The same under `#[timeout]`: the test runs on the watcher's thread of its own.
#[testrig::test]
#[timeout(20)]
fn sync_body_with_a_timeout_can_block_on_the_fixtures_runtime(made: &AsyncMade) {
    let got = tokio::runtime::Handle::current().block_on(async { made.0 + 1 });
    assert_eq!(got, 8);
}

/// A fixture whose async teardown waits for a value a task spawned by the (sync) body sends.
pub struct Mailbox {
    sender: Mutex<Option<tokio::sync::oneshot::Sender<u32>>>,
    receiver: tokio::sync::oneshot::Receiver<u32>,
}

static MAILBOX_GOT: AtomicUsize = AtomicUsize::new(0);

#[fixture]
impl Mailbox {
    async fn setup() -> Self {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        Mailbox { sender: Mutex::new(Some(sender)), receiver }
    }
    async fn teardown(self) -> Result<(), BoxError> {
        match tokio::time::timeout(Duration::from_secs(30), self.receiver).await {
            Ok(Ok(value)) => {
                MAILBOX_GOT.store(value as usize, Ordering::SeqCst);
                Ok(())
            }
            _ => Err("the task the body spawned never ran".into()),
        }
    }
}

#[testrig::test]
fn sync_body_tokio_spawn_lands_on_the_fixtures_runtime(mailbox: &Mailbox) {
    let sender = mailbox.sender.lock().unwrap().take().unwrap();
    tokio::spawn(async move {
        let _ = sender.send(99);
    });
}

/// A sync test with an async fixture starts a task with `testrig::spawn` that finishes at
/// once: it is no leak ("finished within the grace period", as for an async test).
#[test]
fn sync_test_with_async_fixture_a_finished_task_is_no_leak() {
    #[testrig::test]
    fn case(_made: &AsyncMade) {
        drop(testrig::spawn(async {}));
    }
    passes(case);
}

// ---------------------------------------------------------------------------------------
// Leak detection across flavors, timeouts and fixtures.
// ---------------------------------------------------------------------------------------

/// Starts a task that never ends, in its async setup.
pub struct LeaksInSetup;

#[fixture]
impl LeaksInSetup {
    async fn setup() -> Self {
        testrig::spawn(std::future::pending::<()>());
        LeaksInSetup
    }
}

#[test]
fn sync_test_with_async_fixture_that_leaks_fails() {
    #[testrig::test]
    fn case(_leaks: &LeaksInSetup) {}
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at tests/run_sequence.rs:"), "{message}");
}

#[test]
fn sync_test_with_async_fixture_that_leaks_passes_with_allow_leaks() {
    #[testrig::test(allow_leaks)]
    fn case(_leaks: &LeaksInSetup) {}
    passes(case);
}

#[test]
fn a_leak_under_a_timeout_fails() {
    #[testrig::test]
    #[timeout(20)]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
    }
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at"), "{message}");
    assert!(!message.contains("timed out"), "{message}");
}

#[test]
fn a_leak_in_a_multi_thread_test_fails() {
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
    }
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at"), "{message}");
}

#[test]
fn a_leak_in_a_paused_test_under_a_timeout_fails() {
    #[testrig::test(start_paused = true)]
    #[timeout(20)]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
    }
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at"), "{message}");
}

/// A task started by a fixture's async teardown and left running.
pub struct LeaksInTeardown;

#[fixture]
impl LeaksInTeardown {
    fn setup() -> Self {
        LeaksInTeardown
    }
    async fn teardown(self) {
        testrig::spawn(std::future::pending::<()>());
    }
}

#[test]
fn a_leak_from_an_async_teardown_fails() {
    #[testrig::test]
    async fn case(_leaks: &LeaksInTeardown) {}
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at"), "{message}");
}

#[test]
fn a_leak_after_a_body_timeout_is_reported_with_it() {
    #[testrig::test]
    #[timeout(1)]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
        std::future::pending::<()>().await;
    }
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert!(message.contains("still running after teardown"), "{message}");
}

#[test]
fn allow_leaks_with_a_timeout_and_a_paused_clock_passes() {
    #[testrig::test(start_paused = true, allow_leaks)]
    #[timeout(20)]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    passes(case);
}

// ---------------------------------------------------------------------------------------
// skip! in an async setup; a panicking async teardown.
// ---------------------------------------------------------------------------------------

counted!(BeforeAsyncSkip, BEFORE_ASYNC_SKIP_UP, BEFORE_ASYNC_SKIP_DOWN);
static BODY_AFTER_ASYNC_SKIP: AtomicBool = AtomicBool::new(false);

pub struct SkipsInAsyncSetup;

#[fixture]
impl SkipsInAsyncSetup {
    async fn setup(_before: &BeforeAsyncSkip) -> Self {
        tokio::task::yield_now().await;
        testrig::skip!("no server for the async setup");
    }
}

#[test]
fn skip_in_an_async_setup_skips_every_flavor_and_tears_down() {
    #[testrig::test]
    async fn current_thread(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_thread(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    #[testrig::test]
    #[timeout(20)]
    async fn under_a_timeout(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    #[testrig::test(start_paused = true)]
    #[timeout(20)]
    async fn paused_under_a_timeout(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    #[testrig::test]
    fn sync_body(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    #[testrig::test]
    #[timeout(20)]
    fn sync_body_under_a_timeout(_skips: &SkipsInAsyncSetup) {
        BODY_AFTER_ASYNC_SKIP.store(true, Ordering::SeqCst);
    }
    let cases: [(&str, fn()); 6] = [
        ("current_thread", current_thread),
        ("multi_thread", multi_thread),
        ("under_a_timeout", under_a_timeout),
        ("paused_under_a_timeout", paused_under_a_timeout),
        ("sync_body", sync_body),
        ("sync_body_under_a_timeout", sync_body_under_a_timeout),
    ];
    for (at, (name, case)) in cases.into_iter().enumerate() {
        if let Err(payload) = catch_unwind(case) {
            panic!("{name}: a skip in an async setup failed the test: {}", panic_text(payload));
        }
        assert!(!BODY_AFTER_ASYNC_SKIP.load(Ordering::SeqCst), "{name}: the body ran after the skip");
        assert_eq!(BEFORE_ASYNC_SKIP_DOWN.load(Ordering::SeqCst), at + 1, "{name}: not torn down");
    }
}

counted!(UnderPanickingTeardown, UNDER_PANICKING_UP, UNDER_PANICKING_DOWN);

pub struct PanicsInAsyncTeardown;

#[fixture]
impl PanicsInAsyncTeardown {
    fn setup(_under: &UnderPanickingTeardown) -> Self {
        PanicsInAsyncTeardown
    }
    async fn teardown(self) {
        tokio::task::yield_now().await;
        panic!("async teardown exploded");
    }
}

#[test]
fn a_panicking_async_teardown_under_each_runner_is_reported_and_the_rest_torn_down() {
    #[testrig::test]
    #[timeout(20)]
    async fn under_a_timeout(_p: &PanicsInAsyncTeardown) {}
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    #[timeout(20)]
    async fn multi_thread_under_a_timeout(_p: &PanicsInAsyncTeardown) {}
    #[testrig::test(start_paused = true)]
    #[timeout(20)]
    async fn paused_under_a_timeout(_p: &PanicsInAsyncTeardown) {}
    #[testrig::test]
    #[timeout(20)]
    fn sync_under_a_timeout(_p: &PanicsInAsyncTeardown) {}
    let cases: [(&str, fn()); 4] = [
        ("under_a_timeout", under_a_timeout),
        ("multi_thread_under_a_timeout", multi_thread_under_a_timeout),
        ("paused_under_a_timeout", paused_under_a_timeout),
        ("sync_under_a_timeout", sync_under_a_timeout),
    ];
    for (at, (name, case)) in cases.into_iter().enumerate() {
        let message = failure_of(case);
        assert!(
            message.contains("teardown of fixture `PanicsInAsyncTeardown` panicked: async teardown exploded"),
            "{name}: {message}"
        );
        assert!(!message.contains("timed out"), "{name}: {message}");
        assert_eq!(UNDER_PANICKING_DOWN.load(Ordering::SeqCst), at + 1, "{name}: the fixture below was not torn down");
    }
}

// ---------------------------------------------------------------------------------------
// A fixture test called from another: sync from async, async from sync.
// ---------------------------------------------------------------------------------------

counted!(InnerSync, INNER_SYNC_UP, INNER_SYNC_DOWN);

#[testrig::test]
fn inner_sync_test(_inner: &InnerSync) {
    assert!(tokio::runtime::Handle::try_current().is_err(), "a sync test without async fixtures has no runtime");
}

#[testrig::test]
#[timeout(1)]
#[ignore = "called by `an_async_test_calling_a_test_that_times_out_fails_with_its_timeout`"]
async fn inner_hanging_test() {
    std::future::pending::<()>().await;
}

#[test]
fn an_async_test_calls_a_sync_fixture_test() {
    #[testrig::test]
    async fn outer() {
        tokio::task::yield_now().await;
        inner_sync_test();
    }
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outer_multi_thread() {
        inner_sync_test();
    }
    passes(outer);
    passes(outer_multi_thread);
    assert_eq!(INNER_SYNC_DOWN.load(Ordering::SeqCst), 2);
}

#[test]
fn an_async_test_calling_a_test_that_times_out_fails_with_its_timeout() {
    #[testrig::test]
    async fn outer() {
        inner_hanging_test();
    }
    let message = failure_of(outer);
    assert!(message.contains("run_sequence::inner_hanging_test"), "{message}");
    assert!(message.contains("test body timed out"), "{message}");
}

static INNER_ASYNC_RAN: AtomicUsize = AtomicUsize::new(0);

#[testrig::test]
async fn inner_async_test(made: &AsyncMade) {
    tokio::task::yield_now().await;
    assert_eq!(made.0, 7);
    INNER_ASYNC_RAN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_sync_test_calls_an_async_fixture_test() {
    // Without a runtime of its own.
    #[testrig::test]
    fn outer_plain() {
        inner_async_test();
    }
    // With one (its fixture is async): the body is in that runtime's context.
    #[testrig::test]
    fn outer_in_a_runtime(_made: &AsyncMade) {
        inner_async_test();
    }
    passes(outer_plain);
    passes(outer_in_a_runtime);
    assert_eq!(INNER_ASYNC_RAN.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------------------------------
// Attributes in unusual orders, and code generated by `macro_rules!`.
// ---------------------------------------------------------------------------------------

/// `#[timeout]` first, `#[testrig::test(..)]` below it: its options still apply.
#[timeout(20)]
#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_above_the_test_attribute_keeps_its_options() {
    assert_eq!(tokio::runtime::Handle::current().runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
}

/// `#[capture_logs]` first, then `start_paused` and a timeout.
#[capture_logs]
#[testrig::test(start_paused = true)]
#[timeout(20)]
async fn capture_logs_above_a_paused_test(logs: &Logs) {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    tracing::info!("slept an hour");
    assert!(logs.contains("slept an hour"), "{:?}", logs.events());
}

macro_rules! hanging_test {
    ($name:ident, $limit:tt, $fixture:ty) => {
        #[testrig::test]
        #[timeout($limit)]
        async fn $name(_f: &$fixture) {
            std::future::pending::<()>().await;
        }
    };
}

counted!(FromMacro, FROM_MACRO_UP, FROM_MACRO_DOWN);

#[test]
fn a_hanging_test_written_by_macro_rules_times_out_and_tears_down() {
    hanging_test!(case, 1, FromMacro);
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert_eq!(FROM_MACRO_DOWN.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------
// The order of the roots the attributes stand for (roots.rs).
// ---------------------------------------------------------------------------------------

pub struct Probe;

#[fixture]
impl Probe {
    fn setup() -> Self {
        Probe
    }
}

/// `#[capture_logs]` is written before `#[with(Probe)]`.
#[testrig::test]
#[capture_logs]
#[with(Probe)]
#[ignore = "run by `implied_roots_keep_the_order_the_attributes_are_written_in` in a child process"]
fn order_logs_then_probe() {}

/// And after it.
#[testrig::test]
#[with(Probe)]
#[capture_logs]
#[ignore = "run by `implied_roots_keep_the_order_the_attributes_are_written_in` in a child process"]
fn order_probe_then_logs() {}

/// The setups `TESTRIG_SHOW=1` prints for `test`, run in a child process.
fn setups_of(test: &str) -> Vec<String> {
    let output = support::run_alone(test, &[("TESTRIG_SHOW", "1")]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
        .lines()
        .filter(|line| line.trim_start().starts_with("SETUP"))
        .map(|line| line.split_whitespace().nth(1).unwrap_or_default().to_owned())
        .collect()
}

/// Before the change `#[capture_logs]` (as `#[with_cells]`, `#[database]`) added its fixture
/// where it was written among the `#[with]`s, so the two tests set up in opposite orders.
#[test]
fn implied_roots_keep_the_order_the_attributes_are_written_in() {
    if std::env::var_os("TESTRIG_SHOW").is_some() {
        return;
    }
    assert_eq!(setups_of("order_probe_then_logs"), ["Probe", "Logs"]);
    assert_eq!(setups_of("order_logs_then_probe"), ["Logs", "Probe"]);
}

// ---------------------------------------------------------------------------------------
// Built-in fixtures through `#[fixture(crate = crate, built_in = ..)]`, and a user's
// `#[fixture(crate = ::testrig)]`.
// ---------------------------------------------------------------------------------------

pub struct Explicit(u32);

#[fixture(crate = ::testrig)]
impl Explicit {
    async fn setup(_dir: &testrig::TempDir) -> Self {
        Explicit(3)
    }
}

#[fixture(crate = ::testrig)]
fn explicit_value(explicit: &Explicit) -> String {
    format!("explicit {}", explicit.0)
}

#[testrig::test]
async fn a_fixture_with_an_explicit_crate_path_works(value: &ExplicitValue, dir: &testrig::TempDir) {
    assert_eq!(value.as_str(), "explicit 3");
    assert!(dir.path().is_dir());
}

/// A built-in fixture (written with `#[fixture(crate = crate, built_in = ..)]`) that fails
/// its async setup is named as users write it, and the test fails rather than hangs.
#[test]
fn a_failing_built_in_setup_names_the_fixture() {
    #[testrig::test]
    #[with(testrig::db::Databases)]
    async fn case() {}
    let message = failure_of(case);
    assert!(message.contains("setup of fixture `Databases` failed"), "{message}");
    assert!(message.contains("no databases to make"), "{message}");
}

/// `Notifications` requires `Logs`, whose capture the test's scope starts from its plan.
#[testrig::test]
fn a_built_in_fixture_requiring_another_built_in(notes: &testrig::logs::Notifications) {
    tracing::info!(event_type = "compute.start", "started");
    assert_eq!(notes.all().len(), 1);
}

// `macro_rules!` fragments other than `tt` in our attributes' arguments: rustc may wrap a
// `literal` or `expr` fragment in an invisible group.
macro_rules! limited_by_a_literal {
    ($name:ident, $limit:literal, $flavor:literal) => {
        #[testrig::test(flavor = $flavor)]
        #[timeout($limit)]
        async fn $name() {
            assert_eq!(tokio::runtime::Handle::current().runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
        }
    };
}

limited_by_a_literal!(timeout_and_flavor_from_literal_fragments, 20, "multi_thread");

macro_rules! limited_by_an_expr {
    ($name:ident, $limit:expr) => {
        #[testrig::test]
        #[timeout($limit)]
        async fn $name() {}
    };
}

limited_by_an_expr!(timeout_from_an_expr_fragment, 20);

// `#[with_cells]` written above a `#[with(..)]` fixture whose setup runs app code that finds
// its database through the `testrig::db::api()` seam. Before the change `#[with_cells]` was
// `#[with(Cells = ..)]` at the place it was written, so `Cells` was set up first.

testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

static SEAM_IN_SETUP: Mutex<Option<String>> = Mutex::new(None);

pub struct AppCodeInSetup;

#[fixture]
impl AppCodeInSetup {
    fn setup() -> Self {
        let seen = match testrig::db::api() {
            Ok(_) => "the api database".to_owned(),
            Err(error) => format!("no database: {error}"),
        };
        *SEAM_IN_SETUP.lock().unwrap() = Some(seen);
        AppCodeInSetup
    }
}

#[test]
fn a_with_fixture_below_with_cells_is_set_up_after_the_cells() {
    #[testrig::test]
    #[with_cells(in = SCHEMA, cell1)]
    #[with(AppCodeInSetup)]
    async fn case() {}
    passes(case);
    let seen = SEAM_IN_SETUP.lock().unwrap().take();
    assert_eq!(seen.as_deref(), Some("the api database"));
}

// Where the harness says a failing test panicked: at the test, through every entry point
// (`run_case` for a case, `shared_run_N` for a test of fixtures only, `run` otherwise).

pub struct FailsToSetUp;

#[fixture]
impl FailsToSetUp {
    fn setup() -> Result<Self, BoxError> {
        Err("refused".into())
    }
}

#[testrig::test]
#[case(1)]
#[ignore = "run by `a_failure_points_at_the_test_through_every_entry_point` in a child process"]
fn location_of_a_case(n: u32, _fails: &FailsToSetUp) {
    let _ = n;
}

#[testrig::test]
#[ignore = "run by `a_failure_points_at_the_test_through_every_entry_point` in a child process"]
fn location_of_a_shared_shim(_fails: &FailsToSetUp) {}

#[testrig::test(flavor = "multi_thread")]
#[ignore = "run by `a_failure_points_at_the_test_through_every_entry_point` in a child process"]
async fn location_of_an_async_test(_fails: &FailsToSetUp) {}

#[testrig::test]
#[timeout(20)]
#[ignore = "run by `a_failure_points_at_the_test_through_every_entry_point` in a child process"]
fn location_under_a_timeout(_fails: &FailsToSetUp) {}

#[test]
fn a_failure_points_at_the_test_through_every_entry_point() {
    for case in [
        "location_of_a_case::case_1",
        "location_of_a_shared_shim",
        "location_of_an_async_test",
        "location_under_a_timeout",
    ] {
        let output = support::run_alone(case, &[("RUST_BACKTRACE", "0")]);
        let text = support::printed(&output);
        assert!(!output.status.success(), "{case}: {text}");
        assert!(text.contains("setup of fixture `FailsToSetUp` failed: refused"), "{case}: {text}");
        assert!(text.contains("panicked at tests/run_sequence.rs:"), "{case}: {text}");
    }
}

// A sync test whose only async part is a fixture's teardown: it still gets a runtime.

#[testrig::test]
fn sync_test_whose_fixture_has_only_an_async_teardown(_waits: &WaitsInTeardown) {}

#[test]
fn sync_test_leak_from_an_async_teardown_fails() {
    #[testrig::test]
    fn case(_leaks: &LeaksInTeardown) {}
    let message = failure_of(case);
    assert!(message.contains("still running after teardown: a task started at"), "{message}");
}

/// A paused test whose body resumes the clock itself, then hangs: the timeout still fires and
/// the clock guard's own `resume` does not turn into a failure.
#[test]
fn paused_body_that_resumes_the_clock_then_hangs_times_out() {
    #[testrig::test(start_paused = true)]
    #[timeout(1)]
    async fn case(_waits: &WaitsInTeardown) {
        tokio::time::resume();
        std::future::pending::<()>().await;
    }
    let message = failure_of(case);
    assert!(message.contains("test body timed out"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}
