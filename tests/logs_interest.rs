//! tracing-core caches each callsite's interest process-wide, computed when the callsite is
//! first hit. With one registered dispatcher it asks only the *hitting thread's* default: a
//! thread outside any capture then caches "never" for the life of the process, and every
//! later capture missed that callsite (tokio-rs/tracing#3611). This binary holds one test,
//! so the order below is the order the process sees, whatever the harness's thread count.

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
    #[allow(unnameable_test_items)]
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
    #[allow(unnameable_test_items)]
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
