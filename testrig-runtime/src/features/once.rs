//! `#[fixture(scope = once)]`: set up by the first test that needs it, shared read-only by
//! every test of the process, torn down when the process exits.
//!
//! Under nextest every test is a process of its own, so there "once" means once per test:
//! `#[fixture(scope = run)]` (`features::run_scope`) is the scope shared across processes.

use std::any::Any;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::core::fixture::{
    downcast, FixtureMeta, Origin, SetupFuture, Shared, SharedFuture, SharedInstance as Instance,
};
use crate::leaf::report::Cause;

/// One once fixture of the process.
struct Slot {
    meta: &'static FixtureMeta,
    value: std::sync::OnceLock<Instance>,
    /// Serializes the setup of a sync once fixture, which may run without a runtime.
    setting_up: Mutex<()>,
    /// Serializes the setup of an async one, awaited on the first users' runtimes.
    #[cfg(feature = "async")]
    setting_up_async: tokio::sync::Mutex<()>,
}

static SLOTS: Mutex<Vec<Arc<Slot>>> = Mutex::new(Vec::new());
/// Set-up once fixtures in the order their setup finished: torn down in reverse at exit.
static SET_UP: Mutex<Vec<Arc<Slot>>> = Mutex::new(Vec::new());

fn slot(meta: &'static FixtureMeta) -> Arc<Slot> {
    let mut slots = SLOTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(slot) = slots.iter().find(|slot| std::ptr::eq(slot.meta, meta)) {
        return slot.clone();
    }
    let slot = Arc::new(Slot {
        meta,
        value: std::sync::OnceLock::new(),
        setting_up: Mutex::new(()),
        #[cfg(feature = "async")]
        setting_up_async: tokio::sync::Mutex::new(()),
    });
    slots.push(slot.clone());
    slot
}

/// The [`Shared`] of fixture type `T`; requiring `Send + Sync` here is what makes a `once`
/// fixture that tests cannot share a compile error.
#[doc(hidden)]
pub const fn once<T: Any + Send + Sync>() -> Option<Shared> {
    Some(Shared { share: share::<T>, take_back: take_back::<T>, obtain, per_run: false, definition: 0, file: "" })
}

pub(crate) fn share<T: Any + Send + Sync>(instance: Box<dyn Any>) -> Instance {
    Arc::new(downcast::<T>(instance))
}

pub(crate) fn take_back<T: Any + Send + Sync>(shared: Instance) -> Option<Box<dyn Any>> {
    let shared = shared.downcast::<T>().ok()?;
    Arc::try_unwrap(shared).ok().map(|instance| Box::new(instance) as Box<dyn Any>)
}

fn obtain<'a>(meta: &'static FixtureMeta, shared: Shared, setup: SetupFuture<'a>) -> SharedFuture<'a> {
    Box::pin(async move {
        let (instance, set_up_here) = instance(meta, shared, setup).await?;
        let origin = match (set_up_here, process_per_test()) {
            (true, false) => "once: set up here, for every test of this process",
            (false, false) => "once: set up by an earlier test of this process",
            (_, true) => "once: set up here; under nextest a process runs one test, `scope = run` is shared by all",
        };
        Ok((instance, Origin::Borrowed(origin)))
    })
}

/// Whether this process runs one test of many processes (nextest's process per test).
fn process_per_test() -> bool {
    static ONE_TEST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ONE_TEST.get_or_init(|| std::env::var_os("NEXTEST_RUN_ID").is_some())
}

/// The process's instance of `meta`, set up by `setup` if no test did yet (then `true`).
/// Concurrent first users wait for one setup; a failed setup is tried again by the next test.
pub(crate) async fn instance(
    meta: &'static FixtureMeta,
    shared: Shared,
    setup: SetupFuture<'_>,
) -> Result<(Instance, bool), Cause> {
    let slot = slot(meta);
    if let Some(instance) = slot.value.get() {
        return Ok((instance.clone(), false));
    }
    #[cfg(feature = "async")]
    if meta.asynchronous {
        let _setting_up = slot.setting_up_async.lock().await;
        if let Some(instance) = slot.value.get() {
            return Ok((instance.clone(), false));
        }
        let instance = InSharedRuntime(setup).await.map(shared.share)?;
        return Ok((slot.value.get_or_init(|| remember(&slot, instance)).clone(), true));
    }
    // A sync setup finishes in one poll: done under a plain lock, so a test without a
    // runtime never waits on a future another thread would have to complete.
    let _setting_up = slot.setting_up.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(instance) = slot.value.get() {
        return Ok((instance.clone(), false));
    }
    let instance = match pin!(setup).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result.map(shared.share)?,
        Poll::Pending => unreachable!("the setup of a sync fixture returned a pending future"),
    };
    Ok((slot.value.get_or_init(|| remember(&slot, instance)).clone(), true))
}

/// The runtime every async shared fixture is set up and torn down in: what a setup spawns (a
/// server's accept loop, a pool's tasks) runs on it, not on the first test's runtime, which
/// ends with that test. Two worker threads, started by the first such setup, never stopped.
#[cfg(feature = "async")]
fn shared_runtime() -> Result<&'static tokio::runtime::Runtime, &'static std::io::Error> {
    static RUNTIME: std::sync::OnceLock<std::io::Result<tokio::runtime::Runtime>> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("testrig-shared-fixtures")
                .enable_all()
                .build()
        })
        .as_ref()
}

/// A shared fixture's setup, polled on the first user's runtime but in the context of the
/// [`shared_runtime`]: `tokio::spawn` and new sockets inside it belong to that one.
#[cfg(feature = "async")]
struct InSharedRuntime<'a>(SetupFuture<'a>);

#[cfg(feature = "async")]
impl Future for InSharedRuntime<'_> {
    type Output = Result<Box<dyn Any>, Cause>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _entered = shared_runtime().ok().map(tokio::runtime::Runtime::enter);
        self.0.as_mut().poll(cx)
    }
}

fn remember(slot: &Arc<Slot>, instance: Instance) -> Instance {
    let mut set_up = SET_UP.lock().unwrap_or_else(PoisonError::into_inner);
    if set_up.is_empty() {
        register_exit_teardown();
    }
    set_up.push(slot.clone());
    instance
}

fn register_exit_teardown() {
    if !crate::leaf::exit::at_exit(tear_down_at_exit) {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"testrig: cannot register the exit handler; once fixtures will not be torn down\n",
        );
    }
}

/// Tears every once fixture down, last set up first. The process is exiting: the test
/// harness has returned, so no test holds an instance any more.
extern "C" fn tear_down_at_exit() {
    let _ = std::panic::catch_unwind(|| {
        SLOTS.lock().unwrap_or_else(PoisonError::into_inner).clear();
        let set_up = std::mem::take(&mut *SET_UP.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in set_up.into_iter().rev() {
            let name = slot.meta.name;
            if let Err(problem) = tear_down(slot) {
                let line = format!("testrig: teardown of once fixture `{name}` at exit: {problem}\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            }
        }
    });
}

fn tear_down(slot: Arc<Slot>) -> Result<(), String> {
    let meta = slot.meta;
    let (Some(shared), Ok(slot)) = (meta.once, Arc::try_unwrap(slot)) else {
        return Err("still in use".to_owned());
    };
    let Some(instance) = slot.value.into_inner() else { return Ok(()) };
    let Some(instance) = (shared.take_back)(instance) else {
        return Err("still in use (a thread of a test holds it)".to_owned());
    };
    let tear_down = crate::core::stack::tear_down_instance(meta, instance);
    let result = match meta.asynchronous {
        // Where its setup ran: what it spawned there is still running, for it to stop.
        #[cfg(feature = "async")]
        true => {
            shared_runtime().map_err(|error| format!("cannot build a runtime for it: {error}"))?.block_on(tear_down)
        }
        // A sync teardown is ready at its first poll.
        _ => match pin!(tear_down).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => unreachable!("the teardown of a sync fixture returned a pending future"),
        },
    };
    result.map_err(|cause| format!("{}: {cause}", cause.verb()))
}

/// The value of an rstest-style `#[once]` fixture function injected by name: made by the
/// first test that needs it, shared by every test of the process as `&'static T`, and, as
/// rstest's, never dropped (a `#[fixture(scope = once)]` type is torn down at exit instead).
#[doc(hidden)]
pub struct OnceByName<T> {
    value: std::sync::OnceLock<T>,
    /// Held while the value is made, so it is made once; awaited, for an async maker, so a
    /// test waiting for it does not block a runtime's thread.
    #[cfg(feature = "async")]
    making: tokio::sync::Mutex<()>,
    #[cfg(not(feature = "async"))]
    making: Mutex<()>,
}

impl<T> Default for OnceByName<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> OnceByName<T> {
    pub const fn new() -> Self {
        OnceByName {
            value: std::sync::OnceLock::new(),
            #[cfg(feature = "async")]
            making: tokio::sync::Mutex::const_new(()),
            #[cfg(not(feature = "async"))]
            making: Mutex::new(()),
        }
    }

    /// The value, made by `make` if no test made it yet. A maker that panics leaves it unmade
    /// for the next test to try.
    #[cfg_attr(not(feature = "async"), allow(clippy::await_holding_lock))]
    pub async fn get_or_make<F: Future<Output = T>>(&'static self, make: impl FnOnce() -> F) -> &'static T {
        if let Some(value) = self.value.get() {
            return value;
        }
        #[cfg(feature = "async")]
        let _making = self.making.lock().await;
        // Without `async`, no fixture function is async: `make` is ready at its first poll,
        // so the guard is never held while another test waits on this thread.
        #[cfg(not(feature = "async"))]
        let _making = self.making.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = self.value.get() {
            return value;
        }
        let value = make().await;
        self.value.get_or_init(|| value)
    }
}
