//! `#[fixture(scope = once)]`: set up by the first test that needs it, shared read-only by
//! every test of the process, torn down when the process exits.
//!
//! Under nextest every test is a process of its own, so there "once" means once per test.

use std::any::Any;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::core::fixture::{
    downcast, FixtureMeta, SetupFuture, Shared, SharedFuture, SharedInstance as Instance, Step,
};
use crate::leaf::report::Cause;
use crate::leaf::unwind::panic_message;

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
    Some(Shared { share: share::<T>, take_back: take_back::<T>, obtain })
}

fn share<T: Any + Send + Sync>(instance: Box<dyn Any>) -> Instance {
    Arc::new(downcast::<T>(instance))
}

fn take_back<T: Any + Send + Sync>(shared: Instance) -> Option<Box<dyn Any>> {
    let shared = shared.downcast::<T>().ok()?;
    Arc::try_unwrap(shared).ok().map(|instance| Box::new(instance) as Box<dyn Any>)
}

fn obtain<'a>(meta: &'static FixtureMeta, shared: Shared, setup: SetupFuture<'a>) -> SharedFuture<'a> {
    Box::pin(instance(meta, shared, setup))
}

/// The process's instance of `meta`, set up by `setup` if no test did yet. Concurrent first
/// users wait for one setup; a failed setup is tried again by the next test.
async fn instance<F>(meta: &'static FixtureMeta, shared: Shared, setup: F) -> Result<Instance, Cause>
where
    F: Future<Output = Result<Box<dyn Any>, Cause>>,
{
    let slot = slot(meta);
    if let Some(instance) = slot.value.get() {
        return Ok(instance.clone());
    }
    #[cfg(feature = "async")]
    if meta.asynchronous {
        let _setting_up = slot.setting_up_async.lock().await;
        if let Some(instance) = slot.value.get() {
            return Ok(instance.clone());
        }
        let instance = setup.await.map(shared.share)?;
        return Ok(slot.value.get_or_init(|| remember(&slot, instance)).clone());
    }
    // A sync setup finishes in one poll: done under a plain lock, so a test without a
    // runtime never waits on a future another thread would have to complete.
    let _setting_up = slot.setting_up.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(instance) = slot.value.get() {
        return Ok(instance.clone());
    }
    let instance = match pin!(setup).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result.map(shared.share)?,
        Poll::Pending => unreachable!("the setup of a sync fixture returned a pending future"),
    };
    Ok(slot.value.get_or_init(|| remember(&slot, instance)).clone())
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
    let Some(teardown) = meta.teardown else {
        drop(instance);
        return Ok(());
    };
    let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| teardown(instance))) {
        Err(payload) => return Err(format!("panicked: {}", panic_message(&payload))),
        Ok(Step::Ready(result)) => result,
        #[cfg(not(feature = "async"))]
        Ok(Step::Pending(_)) => unreachable!("testrig-macros rejects async fixtures without the `async` feature"),
        #[cfg(feature = "async")]
        Ok(Step::Pending(future)) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| format!("cannot build a runtime for it: {error}"))?;
            runtime.block_on(future)
        }
    };
    result.map_err(|error| format!("failed: {error}"))
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
