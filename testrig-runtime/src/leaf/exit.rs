//! Work left for the process's exit, after the test harness has returned: tearing down once
//! fixtures, removing this process's database directory.

/// Runs `callback` when the process exits normally (not when it is killed: what must hold
/// then is a lock the kernel releases, see the SQLite store). False when the C runtime refused
/// to register it.
pub(crate) fn at_exit(callback: extern "C" fn()) -> bool {
    extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }
    // SAFETY: `atexit` from the C runtime Rust links against; every callback given here is a
    // plain `extern "C" fn` that catches every panic before returning to C.
    unsafe { atexit(callback) == 0 }
}
