//! `#[fixture(scope = run)]`: set up by the first test of a run that needs it, its value shared
//! by every test of every process of that run, torn down once after the run's last test.
//!
//! Under `cargo test` the run is the test binary's process: the fixture is kept as a `once`
//! fixture is, torn down at exit. Under `cargo nextest run`, a process per test, the run is
//! the runner's whole invocation (`NEXTEST_RUN_ID`, retries and all). There the fixture lives
//! in a process of its own, its *keeper*: the test binary started again by the first test that
//! needs the fixture, which sets it up, writes its value (data: it crosses processes) where the
//! run's other processes read it, watches the runner, and tears the fixture down once the
//! runner is gone and no process uses the value any more. What a keeper holds in memory (a
//! server it spawned on its runtime) lives as long as the run.

mod keeper;
mod run_dir;

use std::any::Any;
use std::sync::{Arc, PoisonError};

use crate::core::fixture::{FixtureMeta, Origin, SetupFuture, Shared, SharedFuture, SharedInstance};
use crate::leaf::report::Cause;

pub(crate) use keeper::serve_if_keeper;

/// What a `scope = run` fixture must be: data that crosses processes (a URL, a port, a path, a
/// pid), shared read-only by the tests of every process.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a `scope = run` fixture, so its value crosses processes: it must be `Serialize + \
               Deserialize` (and `Send + Sync`)",
    label = "not data that can cross a process",
    note = "derive both (`#[derive(serde::Serialize, serde::Deserialize)]`) and keep in it only what another \
            process can use: a URL, a port, a path, a pid; a live handle (a connection, a child process) stays \
            in the fixture's keeper, which tears it down",
    note = "or make it `scope = once`: set up once per process, any value, not shared across processes"
)]
pub trait RunValue: Send + Sync + 'static {
    #[doc(hidden)]
    fn encode(&self) -> Result<String, String>;
    #[doc(hidden)]
    fn decode(text: &str) -> Result<Self, String>
    where
        Self: Sized;
}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static> RunValue for T {
    fn encode(&self) -> Result<String, String> {
        serde_json::to_string(self).map_err(|error| error.to_string())
    }

    fn decode(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|error| error.to_string())
    }
}

/// The [`Shared`] of a `scope = run` fixture of type `T` written in `file` whose definition
/// hashes to `definition` (see [`Shared::definition`]); requiring [`RunValue`] here is what
/// makes a run fixture that is not data a compile error.
#[doc(hidden)]
pub const fn per_run<T: RunValue>(definition: u64, file: &'static str) -> Option<Shared> {
    Some(Shared {
        share: crate::features::once::share::<T>,
        take_back: crate::features::once::take_back::<T>,
        obtain: obtain::<T>,
        per_run: true,
        definition,
        file,
    })
}

/// How a value of `T` crosses processes, as plain functions: the code that uses them is
/// compiled once, not per fixture type.
#[derive(Clone, Copy)]
struct Codec {
    encode: fn(&(dyn Any + Send + Sync)) -> Result<String, String>,
    decode: fn(&str) -> Result<SharedInstance, String>,
}

fn obtain<'a, T: RunValue>(meta: &'static FixtureMeta, shared: Shared, setup: SetupFuture<'a>) -> SharedFuture<'a> {
    let codec = Codec { encode: encode::<T>, decode: decode::<T> };
    Box::pin(instance(meta, shared, setup, codec))
}

fn encode<T: RunValue>(instance: &(dyn Any + Send + Sync)) -> Result<String, String> {
    match instance.downcast_ref::<T>() {
        Some(value) => value.encode(),
        None => Err("the instance is of another type".to_owned()),
    }
}

fn decode<T: RunValue>(text: &str) -> Result<SharedInstance, String> {
    T::decode(text).map(|value| Arc::new(value) as SharedInstance)
}

async fn instance(
    meta: &'static FixtureMeta,
    shared: Shared,
    setup: SetupFuture<'_>,
    codec: Codec,
) -> Result<(SharedInstance, Origin), Cause> {
    let Some(run) = run_dir::run_id() else {
        let (instance, set_up_here) = crate::features::once::instance(meta, shared, setup).await?;
        let origin = match set_up_here {
            true => "run: set up here; under `cargo test` the run is this process",
            false => "run: set up by an earlier test of this process (the run under `cargo test`)",
        };
        return Ok((instance, Origin::Borrowed(origin)));
    };
    if keeper::keeps(meta) {
        let dir = run_dir::FixtureDir::new(run, meta);
        let (instance, origin) = keeper::set_up(&dir, meta, shared, setup, codec.encode).await?;
        remember(meta, &instance);
        return Ok((instance, origin));
    }
    attached(run, meta, codec.decode)
}

/// This run's value of `meta`, as this process has it: read from its keeper (started if no
/// process did) the first time.
fn attached(
    run: &str,
    meta: &'static FixtureMeta,
    decode: fn(&str) -> Result<SharedInstance, String>,
) -> Result<(SharedInstance, Origin), Cause> {
    let known = run_dir::ATTACHED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(kept, _)| std::ptr::eq(*kept, meta))
        .map(|(_, instance)| instance.clone());
    if let Some(instance) = known {
        return Ok((instance, Origin::Borrowed("run: attached earlier in this process")));
    }
    let attached = run_dir::FixtureDir::new(run, meta).attach(meta, keeper::launch)?;
    let instance = decode(&attached.value).map_err(|error| {
        Cause::Error(
            format!("the value of run fixture `{}` its keeper wrote cannot be read back: {error}", meta.name).into(),
        )
    })?;
    remember(meta, &instance);
    Ok((instance, Origin::Owned(attached.origin)))
}

fn remember(meta: &'static FixtureMeta, instance: &SharedInstance) {
    run_dir::ATTACHED.lock().unwrap_or_else(PoisonError::into_inner).push((meta, instance.clone()));
}

/// The run's value of run fixture `T` when no test's plan has it (a feature's own: the
/// database handout, the throwaway server), under nextest: attached to, its keeper started if
/// no process did. `None` where the process is its own run (`cargo test`, or not Unix), and
/// where no keeper can be started and none is there: a keeper runs again the testrig test that
/// started it, so only a testrig test's thread (or one it lent its name, [`for_this_test`]) can
/// start one; elsewhere (a plain `#[test]`, a thread of its own) the caller does without.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn attach<T: RunValue + crate::core::fixture::Fixture>() -> Option<Result<Arc<T>, Cause>> {
    let run = run_dir::run_id()?;
    let meta = T::META.get();
    let in_a_test = FOR_A_TEST.get() || crate::core::scope::Scope::current().is_some();
    if !in_a_test && !run_dir::FixtureDir::new(run, meta).kept() {
        return None;
    }
    let attached = attached(run, meta, decode::<T>).map(|(instance, _)| instance);
    Some(attached.and_then(|instance| {
        instance.downcast::<T>().map_err(|_| Cause::Error("a run fixture's value is of another type".into()))
    }))
}

thread_local! {
    /// Set on a thread working for the testrig test whose name it bears ([`for_this_test`]).
    static FOR_A_TEST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on a thread that works for the testrig test it is named after (a test's
/// fixture starting something early, on a thread of its own): a keeper it starts runs that
/// test again, as one its test's thread starts would.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn for_this_test<R>(work: impl FnOnce() -> R) -> R {
    FOR_A_TEST.set(true);
    let done = work();
    FOR_A_TEST.set(false);
    done
}

/// In a run fixture's keeper, the directory of its files (a feature's run fixture keeps its
/// own beside them).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn keeper_dir() -> Option<std::path::PathBuf> {
    keeper::own_dir()
}
