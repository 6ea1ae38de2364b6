//! `flock` locks on files: held by an open file, released by the kernel when the process that
//! holds them dies however it dies, so liveness never rests on a pid or a clean exit.

use std::fs::File;

/// Takes `file`'s exclusive lock without waiting: false when another open file holds it.
pub(crate) fn try_exclusive(file: &File) -> std::io::Result<bool> {
    try_flock(file, Kind::Exclusive)
}

/// Takes `file`'s shared lock without waiting: false when an exclusive one is held.
#[cfg_attr(not(feature = "run"), allow(dead_code))]
pub(crate) fn try_shared(file: &File) -> std::io::Result<bool> {
    try_flock(file, Kind::Shared)
}

#[cfg_attr(not(feature = "run"), allow(dead_code))]
enum Kind {
    Exclusive,
    Shared,
}

#[cfg(unix)]
fn try_flock(file: &File, kind: Kind) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let operation = match kind {
        Kind::Exclusive => libc::LOCK_EX,
        Kind::Shared => libc::LOCK_SH,
    };
    // SAFETY: flock on a file descriptor `file` keeps open for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), operation | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

/// Without `flock`, every lock counts as held by someone else: nothing is reaped or shared.
#[cfg(not(unix))]
fn try_flock(_file: &File, _kind: Kind) -> std::io::Result<bool> {
    Ok(false)
}
