//! Waiting for notifications, like Nova's `wait_for_versioned_notifications`: a notification
//! is a `tracing` event with an `event_type` field, so the application emits them through the
//! logging it already has.

#[cfg(feature = "async")]
use std::future::Future;
use std::time::Duration;

use super::{LogEvent, Logs};

/// The notifications this test's code emitted: `tracing` events with an `event_type` field,
/// captured by [`Logs`] (which it requires).
///
/// ```
/// use std::time::Duration;
/// use testrig::logs::Notifications;
///
/// #[testrig::test]
/// async fn resize_ends_with_a_notification(notifications: &Notifications) {
///     testrig::spawn(async {
///         tokio::time::sleep(Duration::from_millis(20)).await;
///         tracing::info!(event_type = "instance.resize.end", instance = "vm1");
///     });
///     let ended = notifications.wait_for("instance.resize.end", 1, Duration::from_secs(5)).await;
///     assert_eq!(ended[0].field("instance"), Some("vm1"));
/// }
/// # resize_ends_with_a_notification();
/// ```
#[derive(Debug, Clone)]
pub struct Notifications {
    logs: Logs,
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig::logs")]
impl Notifications {
    fn setup(logs: &Logs) -> Self {
        Notifications { logs: logs.clone() }
    }

    /// The notifications so far, in order.
    pub fn all(&self) -> Vec<LogEvent> {
        self.logs.events().into_iter().filter(|event| event.field("event_type").is_some()).collect()
    }

    /// The notifications of `event_type` so far.
    pub fn of(&self, event_type: &str) -> Vec<LogEvent> {
        self.logs.events().into_iter().filter(|event| event.field("event_type") == Some(event_type)).collect()
    }

    /// Waits until `count` notifications of `event_type` arrived and returns them; panics
    /// after `timeout`, listing the notifications that did arrive.
    #[cfg(feature = "async")]
    #[cfg_attr(docsrs, doc(cfg(feature = "async")))]
    #[track_caller]
    pub fn wait_for(
        &self,
        event_type: &str,
        count: usize,
        timeout: Duration,
    ) -> impl Future<Output = Vec<LogEvent>> + '_ {
        let event_type = event_type.to_owned();
        crate::features::wait::wait_for_async(move || std::future::ready(self.enough(&event_type, count)), timeout)
    }

    /// [`Notifications::wait_for`] for sync tests: blocks the thread while it polls.
    #[track_caller]
    pub fn wait_for_sync(&self, event_type: &str, count: usize, timeout: Duration) -> Vec<LogEvent> {
        crate::features::wait::wait_for(|| self.enough(event_type, count), timeout)
    }

    fn enough(&self, event_type: &str, count: usize) -> Result<Vec<LogEvent>, Pending> {
        let found = self.of(event_type);
        if found.len() >= count {
            Ok(found)
        } else {
            Err(Pending { event_type: event_type.to_owned(), wanted: count, seen: self.all() })
        }
    }
}

/// What the wait saw when it gave up.
struct Pending {
    event_type: String,
    wanted: usize,
    seen: Vec<LogEvent>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let matching = self.seen.iter().filter(|e| e.field("event_type") == Some(&self.event_type)).count();
        write!(f, "{matching} of {} `{}` notification(s); all notifications:", self.wanted, self.event_type)?;
        if self.seen.is_empty() {
            return f.write_str(" none");
        }
        for event in &self.seen {
            write!(f, "\n    {event}")?;
        }
        Ok(())
    }
}
