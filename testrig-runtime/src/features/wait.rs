//! Waiting for something to become true, with a failure that says what was last seen —
//! Nova's `_wait_for_state_change` and notification waits, without a fixed sleep.

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// What a probe of [`wait_for`] returns: ready with a value, or not yet, with what it saw.
pub trait Observation<T> {
    /// `Ok(value)` when the condition holds; `Err(text)` describing what was seen otherwise.
    fn observe(self) -> Result<T, String>;
}

impl Observation<()> for bool {
    fn observe(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("false".to_owned())
        }
    }
}

impl<T> Observation<T> for Option<T> {
    fn observe(self) -> Result<T, String> {
        self.ok_or_else(|| "None".to_owned())
    }
}

impl<T, E: Debug> Observation<T> for Result<T, E> {
    fn observe(self) -> Result<T, String> {
        self.map_err(|seen| format!("{seen:?}"))
    }
}

/// Polls `probe` until it is ready and returns its value; panics after `timeout`, naming the
/// last observation. The probe returns `bool`, `Option<T>`, or `Result<T, E: Debug>` (the
/// `Err` is what was seen, e.g. the current state).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::time::Duration;
///
/// let polls = AtomicU32::new(0);
/// let state = testrig::wait_for(
///     || match polls.fetch_add(1, Ordering::SeqCst) {
///         0..=2 => Err("BUILD"),
///         _ => Ok("ACTIVE"),
///     },
///     Duration::from_secs(5),
/// );
/// assert_eq!(state, "ACTIVE");
///
/// let failed = std::panic::catch_unwind(|| testrig::wait_for(|| Err::<(), _>("ERROR"), Duration::from_millis(20)));
/// let message = failed.unwrap_err().downcast::<String>().unwrap();
/// assert!(message.contains("last observed: \"ERROR\""), "{message}");
/// ```
#[track_caller]
pub fn wait_for<T, O: Observation<T>>(mut probe: impl FnMut() -> O, timeout: Duration) -> T {
    let mut poll = Poller::new(timeout);
    loop {
        match probe().observe() {
            Ok(value) => return value,
            Err(seen) => std::thread::sleep(poll.next_delay(seen)),
        }
    }
}

/// [`wait_for`] for async probes; waits with `tokio::time::sleep`, so other tasks of the test
/// run meanwhile.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::time::Duration;
///
/// #[testrig::test]
/// async fn waits_for_a_background_task() {
///     let done = Arc::new(AtomicBool::new(false));
///     let flag = done.clone();
///     tokio::spawn(async move {
///         tokio::time::sleep(Duration::from_millis(20)).await;
///         flag.store(true, Ordering::SeqCst);
///     });
///     testrig::wait_for_async(|| async { done.load(Ordering::SeqCst) }, Duration::from_secs(5)).await;
/// }
/// # waits_for_a_background_task();
/// ```
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
#[track_caller]
pub fn wait_for_async<T, O, F>(mut probe: impl FnMut() -> F, timeout: Duration) -> impl std::future::Future<Output = T>
where
    O: Observation<T>,
    F: std::future::Future<Output = O>,
{
    // Made before the first await so a timeout panic points at the caller.
    let mut poll = Poller::new(timeout);
    async move {
        loop {
            match probe().await.observe() {
                Ok(value) => return value,
                Err(seen) => tokio::time::sleep(poll.next_delay(seen)).await,
            }
        }
    }
}

/// Backoff from 1 ms to 50 ms, and the deadline.
struct Poller {
    started: Instant,
    timeout: Duration,
    delay: Duration,
    polls: u32,
    caller: &'static std::panic::Location<'static>,
}

impl Poller {
    #[track_caller]
    fn new(timeout: Duration) -> Self {
        Poller {
            started: Instant::now(),
            timeout,
            delay: Duration::from_millis(1),
            polls: 0,
            caller: std::panic::Location::caller(),
        }
    }

    /// How long to sleep before the next poll; panics once the time is up.
    fn next_delay(&mut self, seen: String) -> Duration {
        self.polls += 1;
        let elapsed = self.started.elapsed();
        if elapsed >= self.timeout {
            panic!(
                "condition at {} not met within {:?} ({} polls); last observed: {seen}",
                self.caller, self.timeout, self.polls
            );
        }
        let delay = self.delay.min(self.timeout - elapsed);
        self.delay = (self.delay * 2).min(Duration::from_millis(50));
        delay
    }
}
