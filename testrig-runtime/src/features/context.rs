//! Running a future inside a context — a test's scope, a current cell — on every poll, so the
//! context follows the future across threads and tasks.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// Something a thread can enter for a while: the guard leaves it.
pub trait Context {
    /// Leaves the context when dropped.
    type Guard;
    /// Enters the context on this thread until the guard drops.
    fn enter(&self) -> Self::Guard;
}

/// A future that enters its context each time it is polled.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct InContext<C, F> {
    context: C,
    future: F,
}

impl<C, F> InContext<C, F> {
    /// Wraps `future` so that it runs inside `context`.
    pub fn new(context: C, future: F) -> Self {
        InContext { context, future }
    }
}

impl<C: Context, F: Future> Future for InContext<C, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `InContext` has no `Drop` impl and no `Unpin` impl that would move it.
        let this = unsafe { self.get_unchecked_mut() };
        let _guard = this.context.enter();
        // SAFETY: as above; `this.future` stays where it is for the life of `self`.
        unsafe { Pin::new_unchecked(&mut this.future) }.poll(cx)
    }
}
