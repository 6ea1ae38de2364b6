//! Work left for the process's exit, after the test harness has returned: tearing down once
//! fixtures, removing this process's database directory, stopping a throwaway server.
//!
//! One handler is registered with the C runtime, the first time work is left for it, and it
//! runs the work in an order of its own: what is left [`at_exit`] first (the last left first,
//! as `atexit` does), then what is left [`at_exit_last`] (a server the others may still use
//! when they tear down). It does nothing in a child the process forked: the work is the
//! parent's (its server, its directories).

use std::sync::{Mutex, PoisonError};

/// The work: first, then last.
static WORK: Mutex<(Vec<extern "C" fn()>, Vec<extern "C" fn()>)> = Mutex::new((Vec::new(), Vec::new()));

/// The process that left the work, so a forked child does not do it.
static OWNER: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();

/// Runs `callback` when the process exits normally (not when it is killed: what must hold
/// then is a lock the kernel releases, see the SQLite store). False when the C runtime refused
/// to register the handler.
pub(crate) fn at_exit(callback: extern "C" fn()) -> bool {
    leave(callback, false)
}

/// [`at_exit`], after everything [`at_exit`] left, whenever each was left.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn at_exit_last(callback: extern "C" fn()) -> bool {
    leave(callback, true)
}

fn leave(callback: extern "C" fn(), last: bool) -> bool {
    let registered = OWNER.get_or_init(|| {
        extern "C" {
            fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
        }
        // SAFETY: `atexit` from the C runtime Rust links against; `run` is a plain
        // `extern "C" fn` that catches every panic before returning to C.
        (unsafe { atexit(run) } == 0).then(std::process::id)
    });
    let mut work = WORK.lock().unwrap_or_else(PoisonError::into_inner);
    match last {
        false => work.0.push(callback),
        true => work.1.push(callback),
    }
    registered.is_some()
}

extern "C" fn run() {
    if OWNER.get().copied().flatten() != Some(std::process::id()) {
        return;
    }
    let (first, last) = std::mem::take(&mut *WORK.lock().unwrap_or_else(PoisonError::into_inner));
    for callback in first.into_iter().rev().chain(last.into_iter().rev()) {
        // Each callback catches its own panics; this one is for a callback that did not.
        let _ = std::panic::catch_unwind(|| callback());
    }
}
