//! `#[env(KEY = "value", OTHER = unset)]`: environment variables for one test.
//!
//! The environment is process-global, so a test that changes a variable holds a lock on its
//! name for the whole test (serial_test's model, keyed): tests touching the same names run one
//! at a time, all others in parallel. Previous values, including "unset", are restored when
//! the test ends however it ends.

use std::ffi::OsString;
use std::sync::{Condvar, Mutex, PoisonError};

/// One environment variable a test sets (`Some`) or removes (`None`) with `#[env(..)]`.
#[doc(hidden)]
pub type EnvChange = (&'static str, Option<&'static str>);

/// `#[env(..)]` once the test's scope is entered (its `OnEnter` hook): the changes applied,
/// held until after the test's last teardown, when the guard restores them.
#[doc(hidden)]
pub fn set_env(changes: &'static [EnvChange]) -> crate::core::test::Held {
    Some(Box::new(EnvGuard::apply(changes)))
}

/// Names held by running tests, with the scope holding each and its test's name; a test
/// takes all of its names at once or waits, so two tests with overlapping names can never
/// deadlock on each other. A test called from another (nested) shares the names its callers
/// hold instead of waiting for them forever.
struct KeyedLocks {
    held: Mutex<Vec<Holder>>,
    released: Condvar,
}

/// A name, the scope holding it, and that scope's test.
type Holder = (&'static str, u64, &'static str);

/// How long a test waits for names held by another before it says why it waits: it goes on
/// waiting (the other test may simply be long), but a wait that never ends is then explained.
const SAY_WHY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

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
            let (owner, lineage, test) = crate::core::scope::Scope::with_current(|scope| match scope {
                Some(scope) => (scope.id(), scope.lineage(), scope.test_name()),
                None => (0, Vec::new(), "?"),
            });
            let held = LOCKS.held.lock().unwrap_or_else(PoisonError::into_inner);
            let taken_by_others = |held: &mut Vec<Holder>| {
                keys.iter().any(|key| held.iter().any(|(name, by, _)| name == key && !lineage.contains(by)))
            };
            let (held, waited) = LOCKS
                .released
                .wait_timeout_while(held, SAY_WHY_AFTER, taken_by_others)
                .unwrap_or_else(PoisonError::into_inner);
            let mut held = if waited.timed_out() {
                say_why_it_waits(test, &keys, &held);
                LOCKS.released.wait_while(held, taken_by_others).unwrap_or_else(PoisonError::into_inner)
            } else {
                held
            };
            // What a calling test holds stays its own: taken here are only the free names.
            keys.retain(|key| !held.iter().any(|(name, _, _)| name == key));
            held.extend(keys.iter().map(|key| (*key, owner, test)));
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
            held.retain(|(key, _, _)| !self.keys.contains(key));
            LOCKS.released.notify_all();
        }
    }
}

/// Says, past the harness's capture, which test holds the names `test` waits for, and the one
/// way such a wait never ends: `test` runs on a thread the holder started with
/// `std::thread::spawn` (no scope of the holder's goes with it, so it cannot share the holder's
/// names as a nested test does) and the holder joins that thread.
fn say_why_it_waits(test: &str, keys: &[&'static str], held: &[Holder]) {
    let mut holders: Vec<String> = Vec::new();
    for (name, _, by) in held.iter().filter(|(name, _, _)| keys.contains(name)) {
        holders.push(format!("`{name}` (held by test `{by}`)"));
    }
    let line = format!(
        "testrig: test `{test}` has waited {}s for #[env] variables other tests hold: {}. It goes on waiting; if a \
         holder started this test's thread with std::thread::spawn and joins it, it waits forever: start the \
         thread with testrig::thread::spawn, which carries the test's scope and its #[env] names\n",
        SAY_WHY_AFTER.as_secs(),
        holders.join(", ")
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
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
