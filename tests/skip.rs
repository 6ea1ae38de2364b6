//! `testrig::skip!`: from the body or a fixture's setup, the test ends passing, its fixtures
//! torn down, nothing of it kept; `TESTRIG_NO_SKIP` turns skips into failures.

use std::cell::Cell;

use testrig::prelude::*;

// Per thread: the harness runs these tests in parallel, and the counting test runs the
// others on its own thread (sync setups, bodies and teardowns run on the caller's).
thread_local! {
    static TORN_DOWN: Cell<usize> = const { Cell::new(0) };
    static BODY_AFTER_SKIP: Cell<usize> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>) {
    counter.with(|count| count.set(count.get() + 1));
}

pub struct Tracked;

#[fixture]
impl Tracked {
    fn setup() -> Self {
        Tracked
    }
    fn teardown(self) {
        bump(&TORN_DOWN);
    }
}

pub struct NeedsAServer;

#[fixture]
impl NeedsAServer {
    fn setup(_tracked: &Tracked) -> Self {
        testrig::skip!("no server in this {}", "run");
    }
}

#[testrig::test]
fn skipped_in_the_body(_tracked: &Tracked) {
    testrig::skip!();
    #[allow(unreachable_code)]
    bump(&BODY_AFTER_SKIP);
}

#[testrig::test]
fn skipped_in_a_setup(_server: &NeedsAServer) {
    bump(&BODY_AFTER_SKIP);
}

/// Async: its teardown runs on the runtime's thread, the caller's (current-thread flavor).
#[cfg(feature = "async")]
#[testrig::test]
async fn skipped_in_an_async_body(_tracked: &Tracked) {
    tokio::task::yield_now().await;
    testrig::skip!("async");
}

// A plain test: called from a fixture test, a skipping test skips its caller too, and the
// assertions below would never run.
#[test]
fn a_skip_passes_and_tears_down_what_was_set_up() {
    let before = TORN_DOWN.get();
    skipped_in_the_body();
    skipped_in_a_setup();
    #[cfg(feature = "async")]
    skipped_in_an_async_body();
    let expected = if cfg!(feature = "async") { 3 } else { 2 };
    assert_eq!(TORN_DOWN.get(), before + expected, "every Tracked was torn down");
    assert_eq!(BODY_AFTER_SKIP.get(), 0, "nothing ran after a skip");
}

#[test]
fn outside_a_fixture_test_it_says_where_it_can_be_called() {
    let payload = std::panic::catch_unwind(|| testrig::skip!("here")).unwrap_err();
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("outside a fixture test"), "{message}");
}

/// In a child process: the report line goes to stderr itself, and `TESTRIG_NO_SKIP` fails.
#[test]
fn the_skip_is_printed_and_no_skip_fails_it() {
    let exe = std::env::current_exe().unwrap();
    let run = |no_skip: Option<&str>| {
        let mut command = std::process::Command::new(&exe);
        command.args(["--exact", "skipped_in_a_setup", "--test-threads=1"]);
        command.env_remove("TESTRIG_NO_SKIP");
        if let Some(value) = no_skip {
            command.env("TESTRIG_NO_SKIP", value);
        }
        command.output().unwrap()
    };
    let skipped = run(None);
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(skipped.status.success(), "{stderr}");
    assert!(stderr.contains("testrig: skipped `skip::skipped_in_a_setup`: no server in this run"), "{stderr}");
    let failed = run(Some("1"));
    let out = format!("{}{}", String::from_utf8_lossy(&failed.stdout), String::from_utf8_lossy(&failed.stderr));
    assert!(!failed.status.success(), "{out}");
    assert!(out.contains("skipped, and TESTRIG_NO_SKIP is set: no server in this run"), "{out}");
}

pub struct SkipsInTeardown;

#[fixture]
impl SkipsInTeardown {
    fn setup() -> Self {
        SkipsInTeardown
    }
    fn teardown(self) {
        testrig::skip!("too late");
    }
}

#[testrig::test]
#[should_panic(expected = "skipped: too late (`testrig::skip!` skips from a fixture's `setup` or the test's body)")]
fn a_skip_in_a_teardown_fails_saying_so(_late: &SkipsInTeardown) {}

#[testrig::test]
fn a_skip_in_a_thread_the_test_started_is_refused() {
    let joined = testrig::thread::spawn(|| testrig::skip!("from a thread")).join();
    let payload = joined.unwrap_err();
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("in a task or thread the test started"), "{message}");
}

#[cfg(feature = "async")]
#[testrig::test]
async fn a_skip_in_a_task_is_refused() {
    let joined = testrig::spawn(async { testrig::skip!("from a task") }).await;
    let message = joined.unwrap_err().to_string();
    assert!(message.contains("in a task or thread the test started"), "{message}");
}

thread_local! {
    static AFTER_NESTED: Cell<usize> = const { Cell::new(0) };
}

#[testrig::test]
fn calls_a_test_that_skips() {
    skipped_in_a_setup();
    bump(&AFTER_NESTED);
}

#[test]
fn a_caller_of_a_skipping_test_skips_too() {
    calls_a_test_that_skips();
    assert_eq!(AFTER_NESTED.get(), 0, "the caller did not go on after the called test skipped");
}
