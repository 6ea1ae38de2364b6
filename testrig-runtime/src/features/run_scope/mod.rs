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
use std::sync::{Arc, Mutex, PoisonError};

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

/// The [`Shared`] of a `scope = run` fixture of type `T`; requiring [`RunValue`] here is what
/// makes a run fixture that is not data a compile error.
#[doc(hidden)]
pub const fn per_run<T: RunValue>() -> Option<Shared> {
    Some(Shared {
        share: crate::features::once::share::<T>,
        take_back: crate::features::once::take_back::<T>,
        obtain: obtain::<T>,
        per_run: true,
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

/// Which run this process belongs to: `None` when the process is the run (`cargo test`).
fn run_id() -> Option<&'static str> {
    static RUN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        if !cfg!(unix) {
            // No `flock` to share a keeper by: each process is its own run.
            return None;
        }
        std::env::var("NEXTEST_RUN_ID").ok().filter(|id| !id.is_empty())
    })
    .as_deref()
}

/// The values this process attached to (or kept), so its later tests share them.
static ATTACHED: Mutex<Vec<(&'static FixtureMeta, SharedInstance)>> = Mutex::new(Vec::new());

async fn instance(
    meta: &'static FixtureMeta,
    shared: Shared,
    setup: SetupFuture<'_>,
    codec: Codec,
) -> Result<(SharedInstance, Origin), Cause> {
    let Some(run) = run_id() else {
        let (instance, set_up_here) = crate::features::once::instance(meta, shared, setup).await?;
        let origin = match set_up_here {
            true => "run: set up here; under `cargo test` the run is this process",
            false => "run: set up by an earlier test of this process (the run under `cargo test`)",
        };
        return Ok((instance, Origin::Borrowed(origin)));
    };
    let known = ATTACHED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(kept, _)| std::ptr::eq(*kept, meta))
        .map(|(_, instance)| instance.clone());
    if let Some(instance) = known {
        return Ok((instance, Origin::Borrowed("run: attached earlier in this process")));
    }
    let dir = run_dir::FixtureDir::new(run, meta);
    let (instance, origin) = match keeper::keeps(meta) {
        true => keeper::set_up(&dir, meta, shared, setup, codec.encode).await?,
        false => {
            let attached = dir.attach(meta)?;
            let instance = (codec.decode)(&attached.value).map_err(|error| {
                Cause::Error(
                    format!("the value of run fixture `{}` its keeper wrote cannot be read back: {error}", meta.name)
                        .into(),
                )
            })?;
            (instance, Origin::Owned(attached.origin))
        }
    };
    ATTACHED.lock().unwrap_or_else(PoisonError::into_inner).push((meta, instance.clone()));
    Ok((instance, origin))
}

/// Removes what runs that are over left behind: a fixture directory whose keeper is gone (its
/// lock free) and that no process uses (its lease free), as a keeper killed with `-9` leaves.
/// Run by each keeper as it starts, off any test's path.
fn reap_stale_runs() {
    let Ok(runs) = std::fs::read_dir(run_dir::runs_root()) else { return };
    let ours = run_id().map(run_dir::run_root);
    for run in runs.flatten() {
        let is_run = run.file_name().to_str().is_some_and(|name| name.starts_with("testrig-run-"));
        if !is_run || ours.as_deref() == Some(run.path().as_path()) {
            continue;
        }
        let Ok(fixtures) = std::fs::read_dir(run.path()) else { continue };
        for fixture in fixtures.flatten() {
            let free = |file: &str| {
                run_dir::open(&fixture.path().join(file))
                    .is_ok_and(|lock| crate::leaf::file_lock::try_exclusive(&lock).unwrap_or(false))
            };
            if free(run_dir::KEEPER_LOCK) && free(run_dir::LEASE) {
                let _ = std::fs::remove_dir_all(fixture.path());
            }
        }
        let _ = std::fs::remove_dir(run.path());
    }
}
