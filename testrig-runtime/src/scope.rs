//! The per-test context: what one test changed (conf overrides, env, current cell, poison,
//! captured logs), visible to the code that test runs and to nobody else.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::logs::Capture;
use crate::report::Stage;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Scope>>> = const { RefCell::new(None) };
    /// On a runtime worker of a capturing test: the log dispatcher, for the thread's life.
    static WORKER_LOGS: RefCell<Option<tracing::dispatcher::DefaultGuard>> = const { RefCell::new(None) };
}

/// The context of one running test.
///
/// `#[testrig::test]` creates one per test and enters it on the test thread and on every
/// worker thread of the test's tokio runtime; [`crate::spawn`] and [`crate::thread::spawn`]
/// carry it into tasks and threads. Facilities that keep per-test state (configuration
/// overrides, the current cell, log capture) store it here as typed extensions, so parallel
/// tests never see each other's state and no global lock is needed.
///
/// ```
/// use testrig::Scope;
///
/// #[testrig::test]
/// fn each_test_has_its_own_scope() {
///     let scope = Scope::current().expect("inside a fixture test");
///     assert!(scope.test_name().ends_with("each_test_has_its_own_scope"));
/// }
/// # each_test_has_its_own_scope();
/// assert!(Scope::current().is_none());
/// ```
pub struct Scope {
    test_name: &'static str,
    id: u64,
    failed: std::sync::atomic::AtomicBool,
    /// What the test is doing now, for a timeout to name.
    stage: Mutex<Stage>,
    /// The test's captured logs, when it captures them (`Logs` is in its plan).
    logs: Option<Arc<Capture>>,
    /// Which case of a parametrized test this is (0 for others).
    case: std::sync::atomic::AtomicUsize,
    extensions: Mutex<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").field("test_name", &self.test_name).field("id", &self.id).finish_non_exhaustive()
    }
}

impl Scope {
    /// A fresh scope for the test called `test_name`. Tests get theirs from the macro;
    /// this is public for harnesses and for tests of scoped facilities.
    pub fn new(test_name: &'static str) -> Arc<Scope> {
        Scope::make(test_name, None)
    }

    /// A scope whose threads' `tracing` events are captured for its test.
    pub(crate) fn capturing_logs(test_name: &'static str) -> Arc<Scope> {
        Scope::make(test_name, Some(Capture::new()))
    }

    fn make(test_name: &'static str, logs: Option<Arc<Capture>>) -> Arc<Scope> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Scope {
            logs,
            case: std::sync::atomic::AtomicUsize::new(0),
            test_name,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            failed: std::sync::atomic::AtomicBool::new(false),
            stage: Mutex::new(Stage::Body),
            extensions: Mutex::new(Vec::new()),
        })
    }

    /// The scope entered on this thread, if any. `None` on threads that no fixture test
    /// entered: plain `#[test]` functions and threads that escaped their test's scope.
    pub fn current() -> Option<Arc<Scope>> {
        CURRENT.with(|current| current.borrow().clone())
    }

    /// Calls `f` with the current scope without cloning the `Arc`.
    pub fn with_current<R>(f: impl FnOnce(Option<&Scope>) -> R) -> R {
        CURRENT.with(|current| f(current.borrow().as_deref()))
    }

    /// Makes this scope current on this thread until the guard drops; the previous one is
    /// restored then, so entering nests.
    pub fn enter(self: &Arc<Self>) -> ScopeGuard {
        let previous = CURRENT.with(|current| current.borrow_mut().replace(Arc::clone(self)));
        let logs = self.logs.as_ref().map(|_| tracing::dispatcher::set_default(crate::logs::dispatch()));
        ScopeGuard { previous, _logs: logs, _not_send: std::marker::PhantomData }
    }

    pub(crate) fn set_case(&self, case: usize) {
        self.case.store(case, Ordering::Relaxed);
    }

    /// Which case of a parametrized test (`#[case]`, `#[values]`) is running; 0 otherwise.
    pub fn case(&self) -> usize {
        self.case.load(Ordering::Relaxed)
    }

    /// The test's log capture, if it captures.
    pub(crate) fn log_capture(&self) -> Option<Arc<Capture>> {
        self.logs.clone()
    }

    /// The full path of the test this scope belongs to (`module::path::test_name`).
    pub fn test_name(&self) -> &'static str {
        self.test_name
    }

    /// Whether the test has failed so far (a setup, the body or an earlier teardown):
    /// teardowns use it to keep what a failed test left for inspection.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    pub(crate) fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn set_stage(&self, stage: Stage) {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner) = stage;
    }

    /// The stage the test is in: a setup, the body or a teardown.
    pub(crate) fn stage(&self) -> Stage {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A number unique to this scope within the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The extension of type `T` stored in this scope, created by `init` on first use.
    ///
    /// Scoped facilities keep their per-test state here; one value per type.
    pub fn extension<T: Send + Sync + 'static>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let mut extensions = self.extensions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = find::<T>(&extensions) {
            return found;
        }
        let value = Arc::new(init());
        extensions.push((TypeId::of::<T>(), value.clone()));
        value
    }

    /// Drops every extension: the test is over, so what it changed (configuration layers,
    /// ..) is released now, even if a leaked thread still holds the scope.
    pub(crate) fn close(&self) {
        let extensions = std::mem::take(&mut *self.extensions.lock().unwrap_or_else(PoisonError::into_inner));
        drop(extensions);
    }

    /// The extension of type `T`, if some code stored one.
    pub fn get_extension<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        find::<T>(&self.extensions.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn find<T: Send + Sync + 'static>(extensions: &[(TypeId, Arc<dyn Any + Send + Sync>)]) -> Option<Arc<T>> {
    let (_, value) = extensions.iter().find(|(id, _)| *id == TypeId::of::<T>())?;
    Arc::clone(value).downcast::<T>().ok()
}

/// Restores the previously current scope when dropped. Not `Send`: it belongs to the thread
/// that entered the scope.
#[must_use = "the scope is left as soon as the guard drops"]
pub struct ScopeGuard {
    previous: Option<Arc<Scope>>,
    /// Dropped after `previous` is restored (fields drop in order after `drop`).
    _logs: Option<tracing::dispatcher::DefaultGuard>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // The thread may be tearing down its locals; then there is nothing left to restore.
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

/// Makes `scope` current for the rest of this thread's life: used for runtime worker
/// threads, which have no stack frame of ours to hold a guard.
pub(crate) fn enter_for_thread(scope: &Arc<Scope>) {
    CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(scope)));
    if scope.logs.is_some() {
        let logs = tracing::dispatcher::set_default(crate::logs::dispatch());
        WORKER_LOGS.with(|worker| *worker.borrow_mut() = Some(logs));
    }
}

pub(crate) fn leave_for_thread() {
    let _ = WORKER_LOGS.try_with(|worker| worker.borrow_mut().take());
    let _ = CURRENT.try_with(|current| current.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_nests_and_restores() {
        assert!(Scope::current().is_none());
        let outer = Scope::new("outer");
        let inner = Scope::new("inner");
        {
            let _outer = outer.enter();
            {
                let _inner = inner.enter();
                assert_eq!(Scope::current().unwrap().test_name(), "inner");
            }
            assert_eq!(Scope::current().unwrap().test_name(), "outer");
        }
        assert!(Scope::current().is_none());
    }

    #[test]
    fn extensions_are_per_type_and_created_once() {
        let scope = Scope::new("t");
        let first = scope.extension(|| 5u32);
        let second = scope.extension(|| 7u32);
        assert_eq!((*first, *second), (5, 5));
        assert!(scope.get_extension::<String>().is_none());
        assert_eq!(*scope.extension(|| String::from("s")), "s");
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(Scope::new("a").id(), Scope::new("a").id());
    }
}
