//! tracing-core caches each callsite's interest process-wide, computed when the callsite is
//! first hit. With one registered dispatcher it asks only the *hitting thread's* default: a
//! thread outside any capture then caches "never" for the life of the process, and every
//! later capture missed that callsite (tokio-rs/tracing#3611). Only the first test below
//! hits `app::greet`, so the order inside it is the order the process sees, whatever the
//! harness's thread count or nextest.

// The capturing tests are written inside the test that orders them and called from there.
#![allow(unnameable_test_items)]

use testrig::logs::{Level, Logs};

mod app {
    /// Application code logging from an ordinary function.
    pub fn greet(name: &str) {
        tracing::info!(name, "greeting someone");
    }
}

#[test]
fn a_callsite_first_hit_outside_any_capture_is_captured_by_later_tests() {
    // 1. A capturing test runs first, so the capture's dispatcher exists.
    #[testrig::test]
    fn captures_first(logs: &Logs) {
        tracing::info!("warming up");
        assert_eq!(logs.count(Level::INFO, "warming up"), 1);
    }
    captures_first();

    // 2. Code outside any capture (a plain thread, as a plain `#[test]` is) hits the
    //    application's callsites first.
    std::thread::spawn(|| {
        app::greet("bob");
    })
    .join()
    .unwrap();

    // 3. A later capturing test sees them, on its own thread and on its runtime's workers.
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    async fn captures_later(logs: &Logs) {
        app::greet("alice");
        tokio::spawn(async { app::greet("carol") }).await.unwrap();
        logs.assert_logged(Level::INFO, "greeting someone*alice");
        logs.assert_logged(Level::INFO, "greeting someone*carol");
        assert_eq!(logs.count(Level::INFO, "greeting someone*bob"), 0, "bob was logged outside the capture");
    }
    captures_later();
}

mod library {
    /// A library logging through the `log` crate, as sqlx and most libraries do.
    pub fn record(user: &str) {
        log::info!(target: "library::audit", user, attempt = 2; "recorded {user}");
        log::trace!("too fine to keep by default");
    }
}

#[test]
fn log_records_are_captured_with_target_level_and_key_values() {
    #[testrig::test]
    fn records(logs: &Logs) {
        library::record("dana");
        testrig::thread::spawn(|| library::record("erin")).join().unwrap();
        let events = logs.events();
        let dana = events.iter().find(|event| event.message == "recorded dana").expect("dana's record");
        assert_eq!((dana.level, dana.target.as_str()), (Level::INFO, "library::audit"));
        assert_eq!((dana.field("user"), dana.field("attempt")), (Some("dana"), Some("2")));
        assert!(dana.location.as_deref().is_some_and(|at| at.starts_with("tests/logs_interest.rs:")));
        logs.assert_logged(Level::INFO, "recorded erin");
        assert!(!logs.contains("too fine"), "TRACE is kept only with TESTRIG_DEBUG=trace");
    }
    records();
    // Outside any capture the record goes nowhere, and no later test sees it.
    library::record("frank");
    #[testrig::test]
    fn sees_only_its_own(logs: &Logs) {
        assert!(!logs.contains("frank"));
        assert!(!logs.contains("dana"));
    }
    sees_only_its_own();
}
