//! `#[env(..)]`: variables set or removed for one test, restored exactly however it ends,
//! with keyed locks so only tests sharing a name wait for each other.
#![allow(unnameable_test_items)] // cases nested in the tests that check what they leave behind

mod support;

use std::panic::catch_unwind;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use testrig::prelude::*;
use testrig::BoxError;

#[testrig::test]
#[env(TESTRIG_ENV_REGION = "regionTwo", TESTRIG_ENV_HOME = unset)]
fn variables_are_set_and_removed_inside_the_test() {
    assert_eq!(std::env::var("TESTRIG_ENV_REGION").unwrap(), "regionTwo");
    assert!(std::env::var_os("TESTRIG_ENV_HOME").is_none());
}

#[test]
fn previous_values_come_back_including_unset() {
    #[testrig::env(TESTRIG_ENV_PASS_SET = "inside", TESTRIG_ENV_PASS_GONE = unset, TESTRIG_ENV_PASS_NEW = "new")]
    fn case() {
        assert_eq!(std::env::var("TESTRIG_ENV_PASS_SET").unwrap(), "inside");
    }
    std::env::set_var("TESTRIG_ENV_PASS_SET", "outside");
    std::env::set_var("TESTRIG_ENV_PASS_GONE", "kept");
    case();
    assert_eq!(std::env::var("TESTRIG_ENV_PASS_SET").unwrap(), "outside");
    assert_eq!(std::env::var("TESTRIG_ENV_PASS_GONE").unwrap(), "kept");
    assert!(std::env::var_os("TESTRIG_ENV_PASS_NEW").is_none(), "a variable that was unset is unset again");
}

#[test]
fn restored_when_the_body_panics() {
    #[testrig::env(TESTRIG_ENV_PANIC = "inside")]
    fn case() {
        panic!("boom");
    }
    std::env::set_var("TESTRIG_ENV_PANIC", "outside");
    assert!(catch_unwind(case).is_err());
    assert_eq!(std::env::var("TESTRIG_ENV_PANIC").unwrap(), "outside");
}

pub struct FailsToStart;

#[fixture]
impl FailsToStart {
    fn setup() -> Result<Self, BoxError> {
        assert_eq!(std::env::var("TESTRIG_ENV_SETUP").unwrap(), "inside", "fixtures see the test's environment");
        Err("no".into())
    }
}

#[test]
fn restored_after_a_failed_fixture_setup() {
    #[testrig::env(TESTRIG_ENV_SETUP = "inside")]
    fn case(_fails: &FailsToStart) {}
    std::env::remove_var("TESTRIG_ENV_SETUP");
    let message = catch_unwind(case).unwrap_err();
    assert!(message.downcast_ref::<String>().unwrap().contains("setup of fixture `FailsToStart` failed: no"));
    assert!(std::env::var_os("TESTRIG_ENV_SETUP").is_none());
}

/// Two tests on different names must be inside their bodies at the same time: if one lock
/// covered all names, the barrier would time out.
#[test]
fn tests_on_different_names_run_concurrently() {
    static MEET: Mutex<Option<Arc<Barrier>>> = Mutex::new(None);
    fn meet() -> bool {
        let barrier = MEET.lock().unwrap().clone().unwrap();
        let (done, timed_out) = (Arc::new(std::sync::atomic::AtomicBool::new(false)), Instant::now());
        let waiter = {
            let done = done.clone();
            std::thread::spawn(move || {
                barrier.wait();
                done.store(true, std::sync::atomic::Ordering::SeqCst);
            })
        };
        while !done.load(std::sync::atomic::Ordering::SeqCst) && timed_out.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let met = done.load(std::sync::atomic::Ordering::SeqCst);
        if met {
            waiter.join().unwrap();
        }
        met
    }
    #[testrig::env(TESTRIG_ENV_LEFT = "1")]
    fn left() {
        assert!(meet(), "the other test never came: different names must not serialize");
    }
    #[testrig::env(TESTRIG_ENV_RIGHT = "1")]
    fn right() {
        assert!(meet(), "the other test never came: different names must not serialize");
    }
    *MEET.lock().unwrap() = Some(Arc::new(Barrier::new(2)));
    let (a, b) = (std::thread::spawn(left), std::thread::spawn(right));
    a.join().unwrap();
    b.join().unwrap();
}

/// Two tests on the same name never overlap, and each sees its own value throughout.
#[test]
fn tests_on_the_same_name_run_one_at_a_time() {
    static SPANS: Mutex<Vec<(Instant, Instant)>> = Mutex::new(Vec::new());
    fn record(expected: &str) {
        let start = Instant::now();
        for _ in 0..20 {
            assert_eq!(std::env::var("TESTRIG_ENV_SHARED").unwrap(), expected);
            std::thread::sleep(Duration::from_millis(1));
        }
        SPANS.lock().unwrap().push((start, Instant::now()));
    }
    #[testrig::env(TESTRIG_ENV_SHARED = "first", TESTRIG_ENV_ONLY_FIRST = "x")]
    fn first() {
        record("first");
    }
    #[testrig::env(TESTRIG_ENV_OTHER = "y", TESTRIG_ENV_SHARED = "second")]
    fn second() {
        record("second");
    }
    let (a, b) = (std::thread::spawn(first), std::thread::spawn(second));
    a.join().unwrap();
    b.join().unwrap();
    let spans = SPANS.lock().unwrap();
    let (x, y) = (spans[0], spans[1]);
    assert!(x.1 <= y.0 || y.1 <= x.0, "the two tests overlapped: {spans:?}");
}

/// A fixture test called from another, with the same `#[env]` name: the called one shares the
/// caller's lock (no deadlock), sees its own value, and gives the caller's value back.
#[test]
fn a_nested_test_with_the_same_name_shares_the_lock() {
    #[testrig::env(TESTRIG_ENV_NESTED = "inner")]
    fn inner() {
        assert_eq!(std::env::var("TESTRIG_ENV_NESTED").unwrap(), "inner");
    }
    #[testrig::env(TESTRIG_ENV_NESTED = "outer")]
    fn outer() {
        inner();
        assert_eq!(std::env::var("TESTRIG_ENV_NESTED").unwrap(), "outer");
    }
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        outer();
        let _ = done.send(());
    });
    finished.recv_timeout(std::time::Duration::from_secs(10)).expect("the nested test deadlocked on its env lock");
    assert!(std::env::var_os("TESTRIG_ENV_NESTED").is_none());
}

/// An async fixture test called from an async test body runs (on a thread of its own, since
/// its caller's runtime cannot block on another), and its failure reaches the caller.
#[test]
fn an_async_test_can_call_another() {
    #[testrig::env(TESTRIG_ENV_NESTED_ASYNC = "inner")]
    async fn inner() {
        tokio::task::yield_now().await;
        assert_eq!(std::env::var("TESTRIG_ENV_NESTED_ASYNC").unwrap(), "inner");
    }
    #[testrig::env(TESTRIG_ENV_NESTED_ASYNC = "outer")]
    async fn outer() {
        inner();
        assert_eq!(std::env::var("TESTRIG_ENV_NESTED_ASYNC").unwrap(), "outer");
    }
    outer();
    #[testrig::test]
    async fn failing_inner() {
        panic!("the inner test's own failure");
    }
    #[testrig::test]
    async fn calls_a_failing_one() {
        failing_inner();
    }
    let failure = std::panic::catch_unwind(calls_a_failing_one).unwrap_err();
    let message = failure.downcast_ref::<String>().map(String::as_str).or(failure.downcast_ref::<&str>().copied());
    assert!(message.is_some_and(|m| m.contains("the inner test's own failure")), "{message:?}");
}

/// The test's runtime ends, its tasks dropped, while the test's variables still hold: a task
/// left pending sees them as it is dropped, not what the process had before.
#[test]
fn a_task_left_running_is_dropped_while_the_variables_hold() {
    static SEEN: Mutex<Option<Option<String>>> = Mutex::new(None);
    struct Records;
    impl Drop for Records {
        fn drop(&mut self) {
            *SEEN.lock().unwrap() = Some(std::env::var("TESTRIG_ENV_TASK").ok());
        }
    }
    #[testrig::test(allow_leaks)]
    #[env(TESTRIG_ENV_TASK = "inside")]
    async fn case() {
        tokio::spawn(async {
            let _records = Records;
            std::future::pending::<()>().await;
        });
        // The task starts, and holds its guard from then on.
        tokio::task::yield_now().await;
    }
    case();
    assert_eq!(*SEEN.lock().unwrap(), Some(Some("inside".to_owned())));
}

/// A test run on a `testrig::thread::spawn` thread of a test holding the same `#[env]` name
/// shares it, as a nested test does: the holder joins it without a deadlock.
#[test]
fn a_test_on_a_testrig_thread_of_the_holder_shares_its_names() {
    #[testrig::env(TESTRIG_ENV_THREAD = "inner")]
    fn inner() {
        assert_eq!(std::env::var("TESTRIG_ENV_THREAD").unwrap(), "inner");
    }
    #[testrig::env(TESTRIG_ENV_THREAD = "outer")]
    fn outer() {
        testrig::thread::spawn(inner).join().unwrap();
        assert_eq!(std::env::var("TESTRIG_ENV_THREAD").unwrap(), "outer");
    }
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        outer();
        let _ = done.send(());
    });
    finished.recv_timeout(Duration::from_secs(10)).expect("the test on the holder's thread deadlocked");
}

/// Holds a name while a test on a plain `std::thread` of its own wants it: after 5 s the
/// waiting test says which test holds what, and how to write the thread instead. The holder
/// then returns (no join), so the waiting test goes on and the process ends.
#[testrig::test]
#[env(TESTRIG_ENV_PLAIN_THREAD = "outer")]
#[ignore = "run by `a_test_waiting_on_a_plain_thread_says_why_it_waits` in a child process"]
fn holds_a_name_a_plain_thread_wants() {
    #[testrig::env(TESTRIG_ENV_PLAIN_THREAD = "inner")]
    fn waits() {}
    let waiting = std::thread::spawn(waits);
    std::thread::sleep(Duration::from_secs(6));
    assert!(!waiting.is_finished(), "a test on a plain thread shared the holder's name");
}

#[test]
fn a_test_waiting_on_a_plain_thread_says_why_it_waits() {
    let run = support::run_alone("holds_a_name_a_plain_thread_wants", &[]);
    let printed = support::printed(&run);
    assert!(run.status.success(), "{printed}");
    assert!(
        printed.contains("has waited 5s for #[env] variables other tests hold: `TESTRIG_ENV_PLAIN_THREAD` (held by test `env::holds_a_name_a_plain_thread_wants`)")
            && printed.contains("start the thread with testrig::thread::spawn"),
        "{printed}"
    );
}
