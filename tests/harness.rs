//! Fixture tests behave like harness tests: `#[should_panic]`, `#[ignore]`, `Result`
//! returns, other attributes kept; and `TESTRIG_SHOW=1` prints the plan.

use std::process::Command;

use testrig::prelude::*;

thread_local! {
    // Per thread: every test here tears a `Tracked` down, and a test called from another runs
    // its teardown on the caller's thread.
    static TORN_DOWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub struct Tracked;

#[fixture]
impl Tracked {
    fn setup() -> Self {
        Tracked
    }
    fn teardown(self) {
        TORN_DOWN.set(true);
    }
}

#[testrig::test]
#[should_panic(expected = "the body's own message")]
fn should_panic_sees_the_body_panic(_tracked: &Tracked) {
    panic!("the body's own message");
}

#[testrig::test(flavor = "multi_thread")]
#[should_panic(expected = "async body panic")]
async fn should_panic_works_for_async_tests(_tracked: &Tracked) {
    tokio::task::yield_now().await;
    panic!("async body panic");
}

#[testrig::test]
#[ignore = "proves #[ignore] is kept: this would fail if it ran"]
fn ignored_tests_stay_ignored() {
    panic!("an ignored test ran");
}

/// The harness lists it among the ignored tests: `#[ignore]` reached the generated `#[test]`.
#[test]
fn ignored_tests_are_listed_as_ignored() {
    let listed = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--ignored", "--format", "terse"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.lines().any(|line| line == "ignored_tests_stay_ignored: test"), "{listed}");
}

#[testrig::test]
fn result_ok_passes(_tracked: &Tracked) -> Result<(), std::io::Error> {
    Ok(())
}

#[testrig::test]
#[should_panic(expected = "Error: \"refused\"")]
fn result_err_fails_after_teardown(_tracked: &Tracked) -> Result<(), String> {
    Err("refused".into())
}

#[test]
fn result_err_runs_teardown_and_reports_the_error() {
    TORN_DOWN.set(false);
    let outcome = std::panic::catch_unwind(result_err_fails_after_teardown);
    assert!(outcome.is_err());
    assert!(TORN_DOWN.get(), "this call's own teardown ran");
}

pub struct Shown;

#[fixture]
impl Shown {
    async fn setup(_tracked: &Tracked) -> Self {
        Shown
    }
}

#[testrig::test]
fn show_target(_shown: &Shown) {}

/// Runs this test binary again with `TESTRIG_SHOW=1` on `show_target` and reads the plan it
/// prints (the setting is read once per process, so it needs a process of its own).
#[test]
fn fixture_show_prints_setup_body_and_teardown_in_order() {
    if std::env::var_os("TESTRIG_SHOW").is_some() {
        return; // already the child, or the whole suite runs with the plan printed
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "show_target", "--test-threads=1"])
        .env("TESTRIG_SHOW", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|line| line.starts_with("    ")).collect();
    let phases: Vec<String> =
        lines.iter().map(|line| line.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
    assert!(stderr.contains("fixture plan for harness::show_target"), "{stderr}");
    assert_eq!(phases, ["SETUP Tracked", "SETUP Shown", "TEST body", "TEARDOWN Shown", "TEARDOWN Tracked"]);
    assert!(lines.iter().all(|line| line.contains("µs") || line.contains("ms")), "{stderr}");
}
