//! `#[capture_logs]` / `Logs`: per-test capture across the test's threads and tasks, output
//! for failed tests only, DEBUG always formatted; `Notifications`; `#[timeout]`.
#![allow(unnameable_test_items)] // cases nested in the tests that check how they fail

mod support;
use support::panic_text;

use std::panic::catch_unwind;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use testrig::logs::{Level, Logs, Notifications};
use testrig::prelude::*;

/// Each test logs its own number from its thread, a runtime worker, a `testrig::spawn` task
/// and a `testrig::thread::spawn` thread, with sleeps so the 100 tests interleave; each must
/// see its four events and nothing of the others.
macro_rules! isolation_tests {
    ($($name:ident = $n:literal,)*) => {$(
        #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name(logs: &Logs) {
            tracing::info!(test = $n, "from the test thread");
            tokio::time::sleep(Duration::from_millis(($n % 7) as u64)).await;
            tokio::spawn(async { tracing::info!(test = $n, "from a runtime worker") }).await.unwrap();
            testrig::spawn(async { tracing::info!(test = $n, "from a fixture task") }).await.unwrap();
            testrig::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(($n % 5) as u64));
                tracing::info!(test = $n, "from a fixture thread");
            })
            .join()
            .unwrap();
            let events = logs.events();
            let foreign: Vec<_> = events.iter().filter(|e| e.field("test") != Some(stringify!($n))).collect();
            assert!(foreign.is_empty(), "events of other tests: {foreign:?}");
            assert_eq!(events.len(), 4, "{events:?}");
        }
    )*};
}

include!("support/logs_isolation.rs");

#[testrig::test]
#[capture_logs]
async fn assertions_see_levels_fields_and_spans(logs: &Logs) {
    let span = tracing::info_span!("resize", instance = "vm1");
    span.in_scope(|| tracing::warn!(attempt = 2, "rolled back"));
    tracing::debug!("debug is captured");
    tracing::trace!("trace is not, unless TESTRIG_DEBUG=trace");
    logs.assert_logged(Level::WARN, "resize{instance=vm1}: rolled back attempt=2");
    logs.assert_logged(Level::DEBUG, "debug*captured");
    logs.assert_not_logged(Level::ERROR, "*");
    assert!(!logs.contains("trace is not"));
    assert_eq!(logs.count(Level::WARN, "rolled"), 1);
    let warn = &logs.events()[0];
    assert_eq!((warn.level, warn.message.as_str(), warn.field("attempt")), (Level::WARN, "rolled back", Some("2")));
    assert_eq!(warn.spans, ["resize{instance=vm1}"]);
    logs.clear();
    assert!(logs.events().is_empty());
}

#[test]
fn a_failed_assertion_lists_what_was_captured() {
    #[capture_logs]
    fn case(logs: &Logs) {
        tracing::warn!("disk almost full");
        logs.assert_logged(Level::WARN, "disk full");
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("no WARN event matches `disk full`"), "{message}");
    assert!(message.contains("disk almost full"), "{message}");
}

/// A `Display` that fails: formatting it returns `Err`.
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Err(std::fmt::Error)
    }
}

#[test]
fn a_debug_event_that_cannot_be_formatted_fails_the_test() {
    #[capture_logs]
    fn case() {
        tracing::debug!(value = %Broken, "nobody reads debug output");
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("teardown of fixture `Logs` failed"), "{message}");
    assert!(message.contains("could not be formatted"), "{message}");
    assert!(message.contains("tests/logs.rs:"), "names where the event is: {message}");
}

#[testrig::test]
#[capture_logs]
#[ignore = "run by `captured_logs_are_printed_for_failed_tests_only` in a child process"]
fn failing_case() {
    tracing::info!("the failing test's event");
    panic!("the test fails");
}

#[testrig::test]
#[capture_logs]
#[ignore = "run by `captured_logs_are_printed_for_failed_tests_only` in a child process"]
fn passing_case() {
    tracing::info!("the passing test's event");
}

#[test]
fn captured_logs_are_printed_for_failed_tests_only() {
    let run = |name: &str| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"])
            .env_remove("TESTRIG_DEBUG")
            .output()
            .unwrap();
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    };
    let failed = run("failing_case");
    assert!(failed.contains("---- captured logs of logs::failing_case ----"), "{failed}");
    assert!(failed.contains("INFO logs: the failing test's event"), "{failed}");
    let passed = run("passing_case");
    assert!(!passed.contains("the passing test's event"), "{passed}");
}

#[test]
fn testrig_debug_streams_events_live() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "passing_case", "--ignored", "--test-threads=1"])
        .env("TESTRIG_DEBUG", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("[logs::passing_case]  INFO logs: the passing test's event"), "{stderr}");
}

/// Events go to a user's global subscriber from every thread that is not in a capturing
/// test, and never from one that is.
#[test]
fn a_global_subscriber_keeps_the_other_threads() {
    static GLOBAL_EVENTS: AtomicUsize = AtomicUsize::new(0);
    struct Counting;
    impl tracing::Subscriber for Counting {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            if event.metadata().target() == "global_probe" {
                GLOBAL_EVENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    // Another test binary may not share this process; here only this test installs one.
    let _ = tracing::subscriber::set_global_default(Counting);
    #[capture_logs]
    fn captured(logs: &Logs) {
        tracing::info!(target: "global_probe", "captured");
        assert!(logs.contains("captured"));
    }
    captured();
    assert_eq!(GLOBAL_EVENTS.load(Ordering::SeqCst), 0, "a captured event reached the global subscriber");
    std::thread::spawn(|| tracing::info!(target: "global_probe", "not in a test")).join().unwrap();
    assert_eq!(GLOBAL_EVENTS.load(Ordering::SeqCst), 1);
}

#[testrig::test]
async fn notifications_are_waited_for(notifications: &Notifications) {
    for n in 0..3 {
        testrig::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10 * n)).await;
            tracing::info!(event_type = "instance.resize.end", n);
        });
    }
    tracing::info!(event_type = "instance.resize.start");
    let ended = notifications.wait_for("instance.resize.end", 3, Duration::from_secs(5)).await;
    assert_eq!(ended.len(), 3);
    assert_eq!(notifications.of("instance.resize.start").len(), 1);
    assert_eq!(notifications.all().len(), 4);
}

#[test]
fn a_notification_wait_that_times_out_lists_what_arrived() {
    #[testrig::test]
    fn case(notifications: &Notifications) {
        tracing::info!(event_type = "instance.resize.start", instance = "vm1");
        notifications.wait_for_sync("instance.resize.end", 1, Duration::from_millis(50));
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("0 of 1 `instance.resize.end` notification(s)"), "{message}");
    assert!(message.contains("event_type=instance.resize.start instance=vm1"), "{message}");
    assert!(message.contains("tests/logs.rs:"), "names the waiting line: {message}");
}

/// Records that its teardown ran.
struct TornDown;

static TORN_DOWN: AtomicBool = AtomicBool::new(false);

#[fixture]
impl TornDown {
    fn setup() -> Self {
        TornDown
    }
    fn teardown(self) {
        TORN_DOWN.store(true, Ordering::SeqCst);
    }
}

struct HangsInSetup;

#[fixture]
impl HangsInSetup {
    async fn setup() -> Self {
        std::future::pending::<()>().await;
        HangsInSetup
    }
}

#[test]
fn a_hung_async_body_times_out_and_fixtures_are_torn_down() {
    #[timeout(0.2)]
    async fn case(_torn_down: &TornDown) {
        std::future::pending::<()>().await;
    }
    TORN_DOWN.store(false, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("test body timed out: still running after the test's timeout of 200ms"), "{message}");
    assert!(TORN_DOWN.load(Ordering::SeqCst), "the teardown did not run");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_hung_setup_is_named() {
    #[timeout(0.2)]
    async fn case(_torn_down: &TornDown, _hangs: &HangsInSetup) {}
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("setup of fixture `HangsInSetup` timed out"), "{message}");
}

#[test]
fn a_blocked_sync_body_fails_at_its_limit() {
    #[timeout(0.2)]
    fn case() {
        std::thread::sleep(Duration::from_secs(3));
    }
    let started = std::time::Instant::now();
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("test body timed out"), "{message}");
    assert!(message.contains("cannot be interrupted"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(2), "waited for the blocked body: {:?}", started.elapsed());
}

#[testrig::test]
#[timeout(5)]
async fn a_test_within_its_limit_passes(_torn_down: &TornDown) {
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[testrig::test]
#[timeout(5)]
#[should_panic(expected = "the body's own message")]
fn should_panic_still_sees_the_body_panic_under_a_timeout() {
    panic!("the body's own message");
}

#[testrig::test]
#[timeout(0.2)]
#[ignore = "run by `a_timeout_failure_points_at_the_test` in a child process"]
async fn hung_case() {
    std::future::pending::<()>().await;
}

#[testrig::test]
#[timeout(0.2)]
#[ignore = "run by `a_timeout_failure_points_at_the_test` in a child process"]
fn blocked_case() {
    std::thread::sleep(Duration::from_secs(3));
}

/// The harness prints where a failing test panicked: for a timeout that is the test, not
/// testrig's runner.
#[test]
fn a_timeout_failure_points_at_the_test() {
    for case in ["hung_case", "blocked_case"] {
        let output = support::run_alone(case, &[("RUST_BACKTRACE", "0")]);
        let text = support::printed(&output);
        assert!(!output.status.success(), "{text}");
        assert!(text.contains("timed out"), "{text}");
        assert!(text.contains("panicked at tests/logs.rs:"), "{case}: {text}");
        assert!(!text.contains("testrig-runtime/src"), "{case}: {text}");
    }
}

mod filtered_app {
    pub fn work() {
        tracing::debug!("app detail");
        tracing::info!("app progress");
        db::query();
    }
    pub mod db {
        pub fn query() {
            tracing::trace!("db statement");
            tracing::warn!("db slow");
            log::debug!("db log detail");
        }
    }
}

#[testrig::test]
#[ignore = "run by `rust_log_chooses_what_is_kept_and_testrig_debug_what_is_streamed` in a child process"]
fn filtered_case(logs: &Logs) {
    filtered_app::work();
    let kept: Vec<String> = logs.events().iter().map(|event| event.message.clone()).collect();
    println!("kept: {kept:?}");
}

/// `RUST_LOG` directives choose what a test keeps (and prints when it fails), `TESTRIG_DEBUG`
/// directives what is streamed live; unset, DEBUG of everything is kept and nothing streamed.
#[test]
fn rust_log_chooses_what_is_kept_and_testrig_debug_what_is_streamed() {
    let run = |rust_log: Option<&str>, debug: Option<&str>| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command.args(["--exact", "filtered_case", "--ignored", "--test-threads=1", "--nocapture"]);
        command.env_remove("RUST_LOG").env_remove("TESTRIG_DEBUG");
        if let Some(value) = rust_log {
            command.env("RUST_LOG", value);
        }
        if let Some(value) = debug {
            command.env("TESTRIG_DEBUG", value);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (kept, streamed) = run(None, None);
    assert!(kept.contains(r#"kept: ["app detail", "app progress", "db slow", "db log detail"]"#), "{kept}");
    assert!(!streamed.contains("[logs::filtered_case]"), "{streamed}");
    let (kept, streamed) = run(Some("warn,logs::filtered_app=info"), Some("logs::filtered_app::db=trace"));
    assert!(kept.contains(r#"kept: ["app progress", "db slow"]"#), "{kept}");
    assert!(streamed.contains("[logs::filtered_case] TRACE logs::filtered_app::db: db statement"), "{streamed}");
    assert!(streamed.contains("[logs::filtered_case] DEBUG logs::filtered_app::db: db log detail"), "{streamed}");
    assert!(!streamed.contains("app progress"), "only the db module streams: {streamed}");
}
