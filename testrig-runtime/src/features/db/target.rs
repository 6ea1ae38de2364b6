//! The current cell: which cell database `testrig::db::cell()` means right now.
//!
//! Set for the extent of one future (or closure) by `Cells::target`; nests; carried into tasks
//! spawned with `testrig::spawn`; never a global, so parallel tests and concurrent tasks of
//! one test each have their own.

use std::cell::RefCell;
use std::sync::Arc;

use crate::features::context::{Context, InContext};

thread_local! {
    static CURRENT_CELL: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// The cell targeted on this thread right now, if any.
pub(crate) fn current_cell() -> Option<Arc<str>> {
    CURRENT_CELL.with(|cell| cell.borrow().clone())
}

/// Runs `f` with `cell` as the current cell, restoring the previous one after (also on panic).
pub(crate) fn with_cell<R>(cell: Option<Arc<str>>, f: impl FnOnce() -> R) -> R {
    let _guard = CellTarget(cell).enter();
    f()
}

/// A current cell to enter (`None`: no cell), for [`InContext`].
#[derive(Debug, Clone)]
pub struct CellTarget(pub Option<Arc<str>>);

/// Restores the previously current cell when dropped.
pub struct CellGuard(Option<Arc<str>>);

impl Context for CellTarget {
    type Guard = CellGuard;

    fn enter(&self) -> CellGuard {
        CellGuard(CURRENT_CELL.with(|current| std::mem::replace(&mut *current.borrow_mut(), self.0.clone())))
    }
}

impl Drop for CellGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        // The thread may be tearing down its locals; then there is nothing left to restore.
        let _ = CURRENT_CELL.try_with(|cell| *cell.borrow_mut() = previous);
    }
}

/// A future that runs with a given current cell on every poll.
pub type Targeted<F> = InContext<CellTarget, F>;
