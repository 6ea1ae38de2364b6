//! `#[env(KEY = "value", OTHER = unset)]`: environment variables for one test.
//!
//! The environment is process-global, so a test that changes a variable holds a lock on its
//! name for the whole test (serial_test's model, keyed): tests touching the same names run one
//! at a time, all others in parallel. Previous values, including "unset", are restored when
//! the test ends however it ends.

use std::ffi::OsString;
use std::sync::{Condvar, Mutex, PoisonError};

pub use crate::core::run::EnvChange;

/// The test's `#[env(..)]` changes applied, until the guard is dropped after its teardowns
/// (see `TEST_GUARDS` in lib.rs); nothing for a test without any.
pub(crate) fn guard(test: &crate::core::run::Test) -> Option<Box<dyn std::any::Any>> {
    (!test.env.is_empty()).then(|| Box::new(EnvGuard::apply(test.env)) as Box<dyn std::any::Any>)
}

/// Names held by running tests, with the scope holding each; a test takes all of its names
/// at once or waits, so two tests with overlapping names can never deadlock on each other. A
/// test called from another (nested) shares the names its callers hold instead of waiting
/// for them forever.
struct KeyedLocks {
    held: Mutex<Vec<(&'static str, u64)>>,
    released: Condvar,
}

static LOCKS: KeyedLocks = KeyedLocks { held: Mutex::new(Vec::new()), released: Condvar::new() };

/// The variables one test changed, restored on drop.
#[doc(hidden)]
pub struct EnvGuard {
    keys: Vec<&'static str>,
    previous: Vec<(&'static str, Option<OsString>)>,
}

impl EnvGuard {
    /// Waits for the names of `changes` to be free, takes them, and applies the changes. The
    /// holder is the current scope; names its calling tests hold count as free for it.
    pub fn apply(changes: &[EnvChange]) -> EnvGuard {
        // Sorted and each once, by insertion (a sort is kilobytes of code every test links).
        let mut keys: Vec<&'static str> = Vec::with_capacity(changes.len());
        for (key, _) in changes {
            if let Err(at) = keys.binary_search(key) {
                keys.insert(at, key);
            }
        }
        if !keys.is_empty() {
            // Asked only here: every test applies its (mostly empty) environment.
            let (owner, lineage) = crate::core::scope::Scope::with_current(|scope| match scope {
                Some(scope) => (scope.id(), scope.lineage()),
                None => (0, Vec::new()),
            });
            let held = LOCKS.held.lock().unwrap_or_else(PoisonError::into_inner);
            let taken_by_others = |held: &mut Vec<(&'static str, u64)>| {
                keys.iter().any(|key| held.iter().any(|(name, by)| name == key && !lineage.contains(by)))
            };
            let mut held = LOCKS.released.wait_while(held, taken_by_others).unwrap_or_else(PoisonError::into_inner);
            // What a calling test holds stays its own: taken here are only the free names.
            keys.retain(|key| !held.iter().any(|(name, _)| name == key));
            held.extend(keys.iter().map(|key| (*key, owner)));
        }
        let mut previous = Vec::with_capacity(changes.len());
        for (key, value) in changes {
            if !previous.iter().any(|(seen, _)| seen == key) {
                previous.push((*key, std::env::var_os(key)));
            }
            match value {
                Some(value) => std::env::set_var(key, value),
                None => std::env::remove_var(key),
            }
        }
        EnvGuard { keys, previous }
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (key, value) in self.previous.drain(..).rev() {
            match value {
                Some(value) => std::env::set_var(key, value),
                None => std::env::remove_var(key),
            }
        }
        if !self.keys.is_empty() {
            let mut held = LOCKS.held.lock().unwrap_or_else(PoisonError::into_inner);
            held.retain(|(key, _)| !self.keys.contains(key));
            LOCKS.released.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_restores_including_unset() {
        std::env::set_var("TESTRIG_ENV_UNIT_A", "before");
        std::env::remove_var("TESTRIG_ENV_UNIT_B");
        {
            let _guard = EnvGuard::apply(&[("TESTRIG_ENV_UNIT_A", None), ("TESTRIG_ENV_UNIT_B", Some("set"))]);
            assert!(std::env::var_os("TESTRIG_ENV_UNIT_A").is_none());
            assert_eq!(std::env::var("TESTRIG_ENV_UNIT_B").unwrap(), "set");
        }
        assert_eq!(std::env::var("TESTRIG_ENV_UNIT_A").unwrap(), "before");
        assert!(std::env::var_os("TESTRIG_ENV_UNIT_B").is_none());
    }

    #[test]
    fn same_key_twice_restores_the_original() {
        std::env::set_var("TESTRIG_ENV_UNIT_C", "original");
        drop(EnvGuard::apply(&[("TESTRIG_ENV_UNIT_C", Some("1")), ("TESTRIG_ENV_UNIT_C", Some("2"))]));
        assert_eq!(std::env::var("TESTRIG_ENV_UNIT_C").unwrap(), "original");
    }
}
