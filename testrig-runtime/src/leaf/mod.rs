//! What a failure is (stage and cause), a panic as a value, a test's outcome, a skip, the
//! timing display: the layer everything else names, which names nothing of this crate.

pub(crate) mod exit;
#[cfg(any(feature = "sqlite", feature = "run"))]
pub(crate) mod file_lock;
#[cfg(any(feature = "db", feature = "run"))]
pub(crate) mod fnv;
pub(crate) mod outcome;
#[cfg(any(feature = "sqlite", feature = "run"))]
pub(crate) mod private_dir;
pub(crate) mod report;
pub(crate) mod show;
pub(crate) mod skipped;
pub(crate) mod unwind;
