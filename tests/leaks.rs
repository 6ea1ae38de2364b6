//! The leak guard: what a test started through `testrig` and left running fails it, naming
//! where it was started; `allow_leaks` opts out.
#![allow(unnameable_test_items)] // cases nested in the tests that check how they fail

mod support;
use support::panic_text;

use std::panic::catch_unwind;
use std::time::Duration;

#[test]
fn a_task_left_running_fails_the_test_naming_where_it_started() {
    #[testrig::test]
    async fn case() {
        testrig::spawn(std::future::pending::<()>());
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(
        message.contains("leak guard: 1 still running after teardown: a task started at tests/leaks.rs:"),
        "{message}"
    );
    assert!(message.contains("#[testrig::test(allow_leaks)]"), "{message}");
}

#[test]
fn a_thread_left_running_fails_the_test() {
    #[testrig::test]
    fn case() {
        testrig::thread::spawn(|| std::thread::sleep(Duration::from_millis(500)));
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("a thread started at tests/leaks.rs:"), "{message}");
}

#[testrig::test]
async fn finished_and_aborted_tasks_are_not_leaks() {
    testrig::spawn(async {}).await.unwrap();
    let aborted = testrig::spawn(std::future::pending::<()>());
    aborted.abort();
    let _ = aborted.await;
    // Done, though nobody awaited it: finished within the grace period.
    testrig::spawn(tokio::time::sleep(Duration::from_millis(5)));
    testrig::thread::spawn(|| ()).join().unwrap();
}

#[testrig::test(allow_leaks)]
async fn allow_leaks_opts_out() {
    testrig::spawn(std::future::pending::<()>());
    testrig::thread::spawn(|| std::thread::sleep(Duration::from_millis(200)));
}
