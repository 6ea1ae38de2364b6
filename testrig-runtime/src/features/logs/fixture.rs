//! The `Logs` fixture: a test's captured events and the assertions over them.

use std::sync::Arc;

use tracing::Level;

use super::{Capture, LogEvent};

/// The `tracing` events of this test — from its thread, its runtime's workers, and tasks and
/// threads started with [`crate::spawn`] / [`crate::thread::spawn`] — and of no other test.
///
/// `#[capture_logs]` adds it to a test; naming `&Logs` as a parameter or a fixture's
/// dependency does too. Events at DEBUG and above are captured and formatted as they happen
/// (a `Display` that fails makes the test fail, as Nova's NullHandler does); a failed test
/// prints them. `TESTRIG_DEBUG=1` also streams them to stderr live, `TESTRIG_DEBUG=trace`
/// adds TRACE events.
///
/// ```
/// use testrig::logs::{Level, Logs};
///
/// #[testrig::test]
/// #[capture_logs]
/// async fn resize_logs_its_steps(logs: &Logs) {
///     tracing::info!(instance = "vm1", "resize started");
///     testrig::spawn(async { tracing::warn!("rolled back") }).await.unwrap();
///     assert!(logs.contains("resize started instance=vm1"));
///     logs.assert_logged(Level::WARN, "rolled*back");
///     assert_eq!(logs.events()[0].field("instance"), Some("vm1"));
/// }
/// # resize_logs_its_steps();
/// ```
#[derive(Clone)]
pub struct Logs {
    capture: Arc<Capture>,
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logs").field("events", &self.capture.with_events(<[LogEvent]>::len)).finish()
    }
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig::logs", scope_hook = Capture::hook)]
impl Logs {
    /// Every event captured so far, in order.
    pub fn events(&self) -> Vec<LogEvent> {
        self.capture.events()
    }

    /// Whether any event's line (`LEVEL target: spans: message fields`) contains `pattern`,
    /// where `*` stands for any run of characters.
    pub fn contains(&self, pattern: &str) -> bool {
        self.capture.with_events(|events| events.iter().any(|event| event.matches(pattern)))
    }

    /// How many events at `level` match `pattern`.
    pub fn count(&self, level: Level, pattern: &str) -> usize {
        self.capture.with_events(|events| events.iter().filter(|e| e.level == level && e.matches(pattern)).count())
    }

    /// Panics, listing what was captured at `level`, unless an event at `level` matches
    /// `pattern`.
    #[track_caller]
    pub fn assert_logged(&self, level: Level, pattern: &str) {
        if self.count(level, pattern) == 0 {
            panic!("no {level} event matches `{pattern}`; {}", self.listing(level));
        }
    }

    /// Panics, listing the offenders, if an event at `level` matches `pattern`.
    #[track_caller]
    pub fn assert_not_logged(&self, level: Level, pattern: &str) {
        if self.count(level, pattern) > 0 {
            panic!("a {level} event matches `{pattern}`; {}", self.listing(level));
        }
    }

    /// Forgets what was captured so far (e.g. after a fixture's noisy setup).
    pub fn clear(&self) {
        self.capture.clear();
    }

    fn listing(&self, level: Level) -> String {
        self.capture.with_events(|events| {
            let at_level: Vec<String> =
                events.iter().filter(|event| event.level == level).map(|event| format!("\n    {event}")).collect();
            if at_level.is_empty() {
                format!("none was captured at {level} ({} events at other levels)", events.len())
            } else {
                format!("captured at {level}:{}", at_level.concat())
            }
        })
    }

    fn setup() -> Result<Logs, crate::core::fixture::BoxError> {
        match Capture::current() {
            Some(capture) => Ok(Logs { capture }),
            None => Err("no log capture in this scope: use `Logs` from a `#[testrig::test]`".into()),
        }
    }

    fn teardown(self) -> Result<(), crate::core::fixture::BoxError> {
        let errors = self.capture.format_errors();
        if errors.is_empty() {
            return Ok(());
        }
        Err(errors.join("\n    ").into())
    }
}
