//! What the two lists of databases waiting for a test share: this process's free ones
//! (filled as its passed tests hand theirs back) and the clean ones of gone processes found
//! by the reaper ([`super::reap`]).

use std::sync::{Mutex, PoisonError};

use super::connections::Keeper;

/// A database of a passed test, reset to its template's state, for the next test to take.
/// Left over at exit, a later process adopts it when it needs one (see [`super::reap`]).
pub(super) struct Pooled {
    pub(super) template: String,
    pub(super) name: String,
    /// Open since an earlier test; `None` for a database adopted from a process that is gone.
    pub(super) keeper: Option<Keeper>,
}

/// One database for `template` from `list` (this process's free ones, or a gone process's).
pub(super) fn take(list: &Mutex<Vec<Pooled>>, template: &str) -> Option<Pooled> {
    let mut list = list.lock().unwrap_or_else(PoisonError::into_inner);
    list.iter().position(|pooled| pooled.template == template).map(|i| list.swap_remove(i))
}
