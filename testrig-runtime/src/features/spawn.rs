//! Carrying a test's [`Scope`] into the tasks and threads it starts.

use std::sync::Arc;

use crate::core::scope::{Scope, ScopeGuard};
use crate::features::context::{Context, InContext};

/// A future that enters a scope (or none, for `None`) each time it is polled.
///
/// ```
/// use testrig::{Scope, Scoped};
///
/// let scope = Scope::new("example");
/// let seen = futures_lite_block_on(Scoped::new(Some(scope.clone()), async {
///     Scope::current().map(|s| s.test_name())
/// }));
/// assert_eq!(seen, Some("example"));
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) { return out } }
/// # }
/// ```
pub type Scoped<F> = InContext<Option<Arc<Scope>>, F>;

impl Context for Option<Arc<Scope>> {
    type Guard = Option<ScopeGuard>;

    fn enter(&self) -> Option<ScopeGuard> {
        self.as_ref().map(Scope::enter)
    }
}

/// Spawns `future` on the current tokio runtime, inside the current test's scope.
///
/// Inside a `#[testrig::test]`, `tokio::spawn` already runs on a worker that entered the
/// test's scope; `testrig::spawn` also carries the scope when the task lands on a runtime the
/// test did not build (a shared one, a service's).
///
/// ```
/// use testrig::Scope;
///
/// #[testrig::test]
/// async fn spawned_tasks_see_the_scope() {
///     let mine = Scope::current().unwrap().id();
///     let seen = testrig::spawn(async { Scope::current().unwrap().id() }).await.unwrap();
///     assert_eq!(seen, mine);
/// }
/// # spawned_tasks_see_the_scope();
/// ```
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
#[track_caller]
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let running = crate::features::leaks::track("task", std::panic::Location::caller());
    let future = async move {
        let _running = running;
        future.await
    };
    #[cfg(feature = "any")]
    let future = crate::features::db::Targeted::new(
        crate::features::db::CellTarget(crate::features::db::current_cell()),
        future,
    );
    tokio::spawn(Scoped::new(Scope::current(), future))
}

/// Threads that carry the current test's scope.
pub mod thread {
    use crate::core::scope::Scope;

    /// Like [`std::thread::spawn`], but the new thread runs inside the current test's scope.
    ///
    /// A thread started with `std::thread::spawn` escapes the scope: scoped facilities see it
    /// as outside any test.
    ///
    /// ```
    /// use testrig::Scope;
    ///
    /// #[testrig::test]
    /// fn threads_see_the_scope() {
    ///     let mine = Scope::current().unwrap().id();
    ///     let seen = testrig::thread::spawn(|| Scope::current().map(|s| s.id())).join().unwrap();
    ///     assert_eq!(seen, Some(mine));
    ///     let escaped = std::thread::spawn(|| Scope::current().is_none()).join().unwrap();
    ///     assert!(escaped);
    /// }
    /// # threads_see_the_scope();
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(f: F) -> std::thread::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let scope = Scope::current();
        let running = crate::features::leaks::track("thread", std::panic::Location::caller());
        #[cfg(feature = "any")]
        let cell = crate::features::db::current_cell();
        std::thread::spawn(move || {
            let _running = running;
            let _guard = scope.as_ref().map(Scope::enter);
            #[cfg(feature = "any")]
            return crate::features::db::with_cell(cell, f);
            #[cfg(not(feature = "any"))]
            f()
        })
    }
}
