//! The current cell: which cell database `fixture::db::cell()` means right now.
//!
//! Set for the extent of one future (or closure) by `Cells::target`; nests; carried into tasks
//! spawned with `fixture::spawn`; never a global, so parallel tests and concurrent tasks of
//! one test each have their own.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

thread_local! {
    static CURRENT_CELL: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// The cell targeted on this thread right now, if any.
pub(crate) fn current_cell() -> Option<Arc<str>> {
    CURRENT_CELL.with(|cell| cell.borrow().clone())
}

/// Runs `f` with `cell` as the current cell, restoring the previous one after (also on panic).
pub(crate) fn with_cell<R>(cell: Option<Arc<str>>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<str>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = CURRENT_CELL.try_with(|cell| *cell.borrow_mut() = previous);
        }
    }
    let previous = CURRENT_CELL.with(|current| std::mem::replace(&mut *current.borrow_mut(), cell));
    let _restore = Restore(previous);
    f()
}

/// A future that runs with a given current cell on every poll.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Targeted<F> {
    cell: Option<Arc<str>>,
    future: F,
}

impl<F> Targeted<F> {
    /// Runs `future` with `cell` as the current cell (`None`: no cell).
    pub fn new(cell: Option<Arc<str>>, future: F) -> Self {
        Targeted { cell, future }
    }
}

impl<F: Future> Future for Targeted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and `Targeted`
        // has no `Drop` or `Unpin` impl that would move it.
        let this = unsafe { self.get_unchecked_mut() };
        let cell = this.cell.clone();
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        with_cell(cell, || future.poll(cx))
    }
}
