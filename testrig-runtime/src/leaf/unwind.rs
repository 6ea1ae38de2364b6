//! Catching panics in setups, bodies and teardowns so that every teardown still runs.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

pub(crate) type Payload = Box<dyn Any + Send + 'static>;

/// Polls a boxed future, turning a panic during any poll into `Err(payload)`.
pub(crate) struct CatchUnwind<'a, T> {
    future: Pin<Box<dyn Future<Output = T> + 'a>>,
}

impl<'a, T> CatchUnwind<'a, T> {
    pub(crate) fn new(future: Pin<Box<dyn Future<Output = T> + 'a>>) -> Self {
        CatchUnwind { future }
    }
}

impl<T> Future for CatchUnwind<'_, T> {
    type Output = Result<T, Payload>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The test is failing either way once a poll panics; the future is not polled again.
        match catch_unwind(AssertUnwindSafe(|| __rust_begin_short_backtrace(|| self.future.as_mut().poll(cx)))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// The payload `testrig::skip!` unwinds with, to the runner, without the panic hook's message.
pub(crate) struct Skipped {
    /// "skipped: <reason>", what it says where a skip is not allowed (a teardown).
    pub(crate) message: String,
    pub(crate) reason: String,
}

/// The text of a panic payload: the `&str` or `String` given to `panic!`.
pub(crate) fn panic_message(payload: &Payload) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else if let Some(skipped) = payload.downcast_ref::<Skipped>() {
        &skipped.message
    } else {
        "Box<dyn Any>"
    }
}

/// Calls `f` through a frame named as the test harness names its own: a short backtrace
/// (`RUST_BACKTRACE=1`) stops at the first frame of that name, so a failing test's backtrace
/// shows the test's frames (its body, the fixture that failed) and not the runtime's and
/// the async executor's that called them.
///
/// It also marks the thread as running the test's own code ([`in_test_code`]) while `f`
/// runs: a task the test spawned is polled outside it, by its runtime.
#[inline(never)]
pub fn __rust_begin_short_backtrace<R>(f: impl FnOnce() -> R) -> R {
    let _marked = InTestCode::enter();
    let result = f();
    // Not a tail call, so this frame stays on the stack while `f` runs.
    std::hint::black_box(());
    result
}

thread_local! {
    static IN_TEST_CODE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is running a test's body, setup or teardown (called through
/// [`__rust_begin_short_backtrace`]), rather than a task or thread the test started.
pub fn in_test_code() -> bool {
    IN_TEST_CODE.with(std::cell::Cell::get)
}

/// Marks the thread until dropped, also when `f` unwinds; nested calls restore the mark they
/// found.
struct InTestCode(bool);

impl InTestCode {
    fn enter() -> Self {
        InTestCode(IN_TEST_CODE.with(|mark| mark.replace(true)))
    }
}

impl Drop for InTestCode {
    fn drop(&mut self) {
        IN_TEST_CODE.with(|mark| mark.set(self.0));
    }
}
