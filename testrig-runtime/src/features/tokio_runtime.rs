//! Tokio as the executor of async tests and fixtures (the `async` feature): the test's own
//! runtime of the flavor its attribute asks for, `start_paused`'s clock, timeouts.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::core::run::{Executor, LocalFuture, TestRuntime, Undo};
use crate::core::scope::Scope;
use crate::core::test::Flavor;

/// The executor the crate root lists.
pub(crate) struct Tokio;

impl Executor for Tokio {
    fn is_current(&self) -> bool {
        tokio::runtime::Handle::try_current().is_ok()
    }

    /// Every worker and blocking thread the runtime starts enters the test's scope, so tasks
    /// see the test's state without any global lookup.
    fn runtime(&self, flavor: Flavor, scope: &Arc<Scope>) -> Box<dyn TestRuntime> {
        let mut builder = match flavor {
            // Paused for the body only (`pause_clock_for_body`): setups, teardowns and the
            // leak guard's grace keep real time, so a fixture's own timeouts (a pool's
            // acquire, a service's start) do not fire the moment it waits on the network.
            Flavor::CurrentThread | Flavor::CurrentThreadPaused => tokio::runtime::Builder::new_current_thread(),
            Flavor::MultiThread { worker_threads } => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                if let Some(workers) = worker_threads {
                    builder.worker_threads(workers);
                }
                builder
            }
        };
        let for_workers = Arc::clone(scope);
        builder
            .enable_all()
            .on_thread_start(move || crate::core::scope::enter_for_thread(&for_workers))
            .on_thread_stop(crate::core::scope::leave_for_thread);
        match builder.build() {
            Ok(runtime) => Box::new(TokioRuntime { runtime, flavor }),
            Err(error) => panic!("testrig: cannot build the test's tokio runtime: {error}"),
        }
    }
}

struct TokioRuntime {
    runtime: tokio::runtime::Runtime,
    flavor: Flavor,
}

impl TestRuntime for TokioRuntime {
    fn block_on(&self, work: LocalFuture<'_, ()>) {
        self.runtime.block_on(work);
    }

    fn enter(&self) -> Box<dyn Undo + '_> {
        Box::new(self.runtime.enter())
    }

    fn timeout<'a>(&'a self, limit: Duration, work: LocalFuture<'a, ()>) -> LocalFuture<'a, Result<(), ()>> {
        match self.flavor {
            // A paused clock jumps to the next timer whenever the runtime idles: a tokio
            // timeout would fire as soon as the test waits on anything else. A hang is real
            // time.
            Flavor::CurrentThreadPaused => Box::pin(wall_clock_timeout(limit, work)),
            _ => Box::pin(async move { tokio::time::timeout(limit, work).await.map_err(drop) }),
        }
    }

    fn pause_clock_for_body(&self) -> Box<dyn Undo> {
        Box::new(PausedClock::for_body(self.flavor))
    }
}

/// The tokio clock of a `start_paused` test, paused while its body runs; resumed when this is
/// dropped (after the body, or when a timeout cancels it, before the teardowns).
#[cfg_attr(not(feature = "start-paused"), allow(dead_code))]
struct PausedClock(bool);

impl PausedClock {
    fn for_body(flavor: Flavor) -> Self {
        // Without the feature the macro reports `start_paused` and never emits this flavor.
        #[cfg(feature = "start-paused")]
        if flavor == Flavor::CurrentThreadPaused {
            tokio::time::pause();
            return PausedClock(true);
        }
        let _ = flavor;
        PausedClock(false)
    }
}

impl Drop for PausedClock {
    fn drop(&mut self) {
        #[cfg(feature = "start-paused")]
        if self.0 {
            // Panics only if the body resumed the clock itself: then it runs already.
            let _ = std::panic::catch_unwind(tokio::time::resume);
        }
    }
}

/// `work`, or `Err` once `limit` has passed on the wall clock. The timer thread ends as soon
/// as `work` does (its channel is dropped), not after `limit`.
async fn wall_clock_timeout<T>(limit: Duration, work: impl Future<Output = T>) -> Result<T, ()> {
    let (expired, on_expiry) = tokio::sync::oneshot::channel::<()>();
    let (done, until_done) = std::sync::mpsc::channel::<()>();
    let timer = std::thread::Builder::new().name("testrig-timeout".into()).spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = until_done.recv_timeout(limit) {
            let _ = expired.send(());
        }
    });
    if let Err(error) = timer {
        panic!("testrig: cannot start the thread that times the test's `#[timeout]`: {error}");
    }
    let mut work = pin!(work);
    let mut on_expiry = on_expiry;
    let outcome = std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(&mut on_expiry).poll(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Err(())),
            _ => Poll::Pending,
        }
    })
    .await;
    drop(done);
    outcome
}
