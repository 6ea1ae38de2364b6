//! The per-test context: what one test changed (conf overrides, env, current cell, poison,
//! captured logs), visible to the code that test runs and to nobody else.
//!
//! The scope knows no feature: a feature that must act on every thread entering a test
//! (log capture) or when a test fails plugs in through a [`ScopeHook`] its fixture's
//! metadata provides.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::leaf::report::Stage;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Scope>>> = const { RefCell::new(None) };
    /// On a runtime worker: what the scope's hooks set up on entering, for the thread's life.
    static WORKER_HOOKS: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// What a feature does for a test's scope, given by the fixture that provides the feature
/// (its metadata's `scope_hook`) when the scope is made.
#[doc(hidden)]
pub trait ScopeHook: Any + Send + Sync {
    /// Called on each thread entering the scope; what it returns is dropped when the thread
    /// leaves. Log capture makes its dispatcher the thread's default here.
    fn enter(&self) -> Option<Box<dyn Any>> {
        None
    }

    /// Called once when the test failed, after its teardowns, before the report.
    fn on_failure(&self, _scope: &Scope) {}
}

/// The context of one running test.
///
/// `#[testrig::test]` creates one per test and enters it on the test thread and on every
/// worker thread of the test's tokio runtime; [`crate::spawn`] and [`crate::thread::spawn`]
/// carry it into tasks and threads. Features that keep per-test state store it here as
/// typed extensions ([`Scope::extension`]), so parallel tests never see each other's state and
/// no global lock is needed: the configuration overrides (`features::conf`'s `ConfLayers`),
/// the test's databases (`db::cells`' `TestDatabases`), the poison (`db::poison`'s
/// `Poisoned`), the leak guard's count at the start (`features::leaks`' `Started`). Log
/// capture is a scope hook instead; `#[env]` is held for the test by the run.
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
    /// The hooks of the features in the test's plan, fixed when the scope is made.
    hooks: Box<[Arc<dyn ScopeHook>]>,
    /// The test this one was called from (a fixture test calling another), if any.
    parent: Option<Arc<Scope>>,
    /// Which case of a parametrized test this is (0 for others).
    case: std::sync::atomic::AtomicUsize,
    /// The case's name in a parametrized test (`case_1_small`).
    case_name: std::sync::OnceLock<&'static str>,
    /// The thread its setups and body run on.
    runner: std::sync::OnceLock<std::thread::ThreadId>,
    /// Why the test skipped itself (`testrig::skip!`).
    skipped: Mutex<Option<String>>,
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
        Scope::with_hooks(test_name, Vec::new(), None)
    }

    /// A scope with the hooks of the features its test uses, inside `parent` when the test
    /// was called from another test.
    pub(crate) fn with_hooks(
        test_name: &'static str,
        hooks: Vec<Arc<dyn ScopeHook>>,
        parent: Option<Arc<Scope>>,
    ) -> Arc<Scope> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Scope {
            hooks: hooks.into_boxed_slice(),
            parent,
            case: std::sync::atomic::AtomicUsize::new(0),
            case_name: std::sync::OnceLock::new(),
            runner: std::sync::OnceLock::new(),
            skipped: Mutex::new(None),
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
        let entered = self.hooks.iter().filter_map(|hook| hook.enter()).collect();
        ScopeGuard { previous, _entered: entered, _not_send: std::marker::PhantomData }
    }

    pub(crate) fn set_case(&self, case: usize) {
        self.case.store(case, Ordering::Relaxed);
    }

    /// Which case of a parametrized test (`#[case]`, `#[values]`) is running; 0 otherwise.
    pub fn case(&self) -> usize {
        self.case.load(Ordering::Relaxed)
    }

    pub(crate) fn set_runner_thread(&self) {
        let _ = self.runner.set(std::thread::current().id());
    }

    pub(crate) fn is_runner_thread(&self) -> bool {
        self.runner.get() == Some(&std::thread::current().id())
    }

    /// Whether this test was called from another fixture test.
    pub(crate) fn is_nested(&self) -> bool {
        self.parent.is_some()
    }

    pub(crate) fn set_skipped(&self, reason: String) {
        *self.skipped.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
    }

    pub(crate) fn take_skipped(&self) -> Option<String> {
        self.skipped.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    pub(crate) fn set_case_name(&self, name: &'static str) {
        let _ = self.case_name.set(name);
    }

    /// The running case of a parametrized test, as its test is named (`case_1_small`,
    /// `path_2_users_json`); `None` in a test without cases. With the `insta` feature it is
    /// the suffix of the case's snapshots.
    ///
    /// ```
    /// use testrig::prelude::*;
    ///
    /// #[testrig::test]
    /// #[case::small(1)]
    /// fn sized(n: u32) {
    ///     let scope = testrig::Scope::current().unwrap();
    ///     assert_eq!(scope.case_name(), Some("case_1_small"));
    ///     assert!(scope.test_name().ends_with("sized::case_1_small"));
    ///     assert_eq!(n, 1);
    /// }
    /// # sized::case_1_small();
    /// ```
    pub fn case_name(&self) -> Option<&'static str> {
        self.case_name.get().copied()
    }

    /// This scope's id and those of the tests it was called from, innermost first.
    pub(crate) fn lineage(&self) -> Vec<u64> {
        let mut ids = vec![self.id];
        let mut parent = self.parent.as_deref();
        while let Some(scope) = parent {
            ids.push(scope.id);
            parent = scope.parent.as_deref();
        }
        ids
    }

    /// The hook of type `T` the test's plan gave this scope, if any.
    // For features (log capture), which a build may leave out.
    #[allow(dead_code)]
    pub(crate) fn hook<T: ScopeHook>(&self) -> Option<Arc<T>> {
        let hook = self.hooks.iter().find(|hook| (&***hook as &dyn Any).is::<T>())?;
        (Arc::clone(hook) as Arc<dyn Any + Send + Sync>).downcast::<T>().ok()
    }

    /// Tells every hook that the test failed.
    pub(crate) fn report_failure(&self) {
        for hook in &self.hooks {
            hook.on_failure(self);
        }
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
    /// What the hooks set up; dropped after `previous` is restored (fields drop in order
    /// after `drop`).
    _entered: Vec<Box<dyn Any>>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // The thread may be tearing down its locals; then there is nothing left to restore.
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

// For features (async runtimes' workers), which a build may leave out.
#[allow(dead_code)]
/// Makes `scope` current for the rest of this thread's life: used for runtime worker
/// threads, which have no stack frame of ours to hold a guard.
pub(crate) fn enter_for_thread(scope: &Arc<Scope>) {
    CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(scope)));
    let entered: Vec<Box<dyn Any>> = scope.hooks.iter().filter_map(|hook| hook.enter()).collect();
    WORKER_HOOKS.with(|worker| *worker.borrow_mut() = entered);
}

#[allow(dead_code)]
pub(crate) fn leave_for_thread() {
    let _ = WORKER_HOOKS.try_with(|worker| std::mem::take(&mut *worker.borrow_mut()));
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
