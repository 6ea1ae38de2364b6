//! `Conf<T>` and `#[conf]`: per-test overrides that stack, unwind, and never leak into
//! another test.
#![allow(unnameable_test_items)] // cases nested in the tests that check what they leave behind

use std::panic::{catch_unwind, AssertUnwindSafe};

use testrig::prelude::*;
use testrig::{BoxError, Conf};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppConfig {
    pub compute: Compute,
    pub scheduler: Scheduler,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compute {
    pub rpc_response_timeout: u64,
    pub long_rpc_timeout: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scheduler {
    pub max_attempts: u32,
    pub enabled: bool,
}

pub static CONF: Conf<AppConfig> = Conf::new();

mod settings {
    pub static CONF: testrig::Conf<super::AppConfig> = testrig::Conf::new();
}

#[testrig::test]
#[conf(compute.rpc_response_timeout = 10, scheduler.max_attempts = 5, name = "cloud")]
fn attribute_overrides_are_visible() {
    let conf = CONF.get();
    assert_eq!(conf.compute.rpc_response_timeout, 10);
    assert_eq!(conf.scheduler.max_attempts, 5);
    assert_eq!(conf.name, "cloud");
    assert_eq!(conf.compute.long_rpc_timeout, 0, "fields not named keep the base value");
}

#[testrig::test]
#[conf(compute.rpc_response_timeout = 10, compute.long_rpc_timeout = 60)]
#[conf(compute.rpc_response_timeout = 20)]
fn several_conf_attributes_apply_in_order() {
    assert_eq!(CONF.get().compute, Compute { rpc_response_timeout: 20, long_rpc_timeout: 60 });
}

#[conf(in = settings::CONF, scheduler.enabled = true)]
fn in_picks_another_conf() {
    assert!(settings::CONF.get().scheduler.enabled);
    assert!(!CONF.get().scheduler.enabled);
}

#[testrig::test]
#[conf(scheduler.max_attempts = 1)]
fn runtime_overrides_stack_and_unwind_in_reverse() {
    let first = CONF.override_with(|c| c.scheduler.max_attempts = 2);
    {
        let _second = CONF.override_with(|c| c.scheduler.max_attempts += 10);
        assert_eq!(CONF.get().scheduler.max_attempts, 12);
    }
    assert_eq!(CONF.get().scheduler.max_attempts, 2);
    drop(first);
    assert_eq!(CONF.get().scheduler.max_attempts, 1, "back to the attribute's value");
}

#[testrig::test]
fn guards_dropped_out_of_order_remove_only_their_own_change() {
    let timeout = CONF.override_with(|c| c.compute.rpc_response_timeout = 30);
    let attempts = CONF.override_with(|c| c.scheduler.max_attempts = 3);
    let name = CONF.override_with(|c| c.name = "x".into());
    drop(timeout);
    let conf = CONF.get();
    assert_eq!((conf.compute.rpc_response_timeout, conf.scheduler.max_attempts, conf.name.as_str()), (0, 3, "x"));
    drop(name);
    drop(attempts);
    assert_eq!(*CONF.get(), AppConfig::default());
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
#[conf(compute.long_rpc_timeout = 60)]
async fn tasks_and_scoped_threads_see_the_overrides() {
    let from_task = tokio::spawn(async { CONF.get().compute.long_rpc_timeout }).await.unwrap();
    let from_blocking = tokio::task::spawn_blocking(|| CONF.get().compute.long_rpc_timeout).await.unwrap();
    let from_thread = testrig::thread::spawn(|| CONF.get().compute.long_rpc_timeout).join().unwrap();
    assert_eq!((from_task, from_blocking, from_thread), (60, 60, 60));
}

/// A fixture reads the test's configuration and may override it for the test's duration.
pub struct Scheduling {
    pub attempts_at_setup: u32,
    _guard: testrig::ConfGuard,
}

#[fixture]
impl Scheduling {
    fn setup() -> Self {
        let attempts_at_setup = CONF.get().scheduler.max_attempts;
        Scheduling { attempts_at_setup, _guard: CONF.override_with(|c| c.scheduler.enabled = true) }
    }
}

#[testrig::test]
#[conf(scheduler.max_attempts = 7)]
fn fixtures_see_attribute_overrides_and_add_their_own(scheduling: &Scheduling) {
    assert_eq!(scheduling.attempts_at_setup, 7, "#[conf] applies before fixtures are set up");
    assert!(CONF.get().scheduler.enabled);
}

#[test]
fn plain_tests_see_the_base_value() {
    for _ in 0..100 {
        assert_eq!(*CONF.get(), AppConfig::default());
        std::thread::yield_now();
    }
}

// The tests below use confs of their own: they check what other tests leave behind.

static PANIC_CONF: Conf<AppConfig> = Conf::new();

#[test]
fn overrides_are_removed_when_the_test_panics() {
    // Nested, so the harness does not also run it concurrently with this check.
    #[conf(in = PANIC_CONF, name = "panicking")]
    fn panicking_case() {
        panic!("boom");
    }
    assert!(catch_unwind(panicking_case).is_err());
    // This harness thread (named, outside any test scope) reads the base value, and a new
    // fixture test sees no layer of the one that panicked.
    assert_eq!(PANIC_CONF.get().name, "");
    #[testrig::test]
    fn next_case() {
        assert_eq!(PANIC_CONF.get().name, "");
    }
    next_case();
}

static SETUP_CONF: Conf<AppConfig> = Conf::new();

pub struct Broken;

#[fixture]
impl Broken {
    fn setup() -> Result<Self, BoxError> {
        assert_eq!(SETUP_CONF.get().name, "during-setup");
        Err("cannot start".into())
    }
}

#[test]
fn overrides_are_removed_after_a_failed_fixture_setup() {
    #[conf(in = SETUP_CONF, name = "during-setup")]
    fn failing_setup_case(_broken: &Broken) {}
    let message = catch_unwind(failing_setup_case).unwrap_err();
    assert!(message.downcast_ref::<String>().unwrap().contains("setup of fixture `Broken` failed: cannot start"));
    assert_eq!(SETUP_CONF.get().name, "");
}

static ESCAPE_CONF: Conf<AppConfig> = Conf::new();

#[conf(in = ESCAPE_CONF, scheduler.max_attempts = 9)]
fn escaping_case() -> Result<(), String> {
    let escaped = std::thread::spawn(|| ESCAPE_CONF.get().scheduler.max_attempts).join();
    let payload = escaped.expect_err("an escaped thread must not silently read the base value");
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    if message.contains("outside any fixture test scope")
        && message.contains("conf::escaping_case")
        && message.contains("testrig::thread::spawn")
    {
        Ok(())
    } else {
        Err(message)
    }
}

#[test]
fn an_escaped_thread_panics_naming_the_test_and_the_remedy() {
    escaping_case();
}

/// The rule depends only on which tests this binary has: a test that never overrides
/// ESCAPE_CONF meets it too, every time, whatever else runs — here 200 times while
/// `escaping_case` (which overrides it) runs over and over on another thread.
#[test]
fn a_test_that_never_overrides_meets_the_rule_every_time_whatever_runs_meanwhile() {
    static MET: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    #[testrig::test]
    fn never_overrides() {
        let read = std::thread::spawn(|| ESCAPE_CONF.get().scheduler.max_attempts).join();
        let named = read.is_err_and(|payload| {
            payload.downcast_ref::<String>().is_some_and(|message| message.contains("conf::escaping_case"))
        });
        if named {
            MET.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let overriding = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("overriding".into())
            .spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    escaping_case();
                }
            })
            .unwrap()
    };
    (0..200).for_each(|_| never_overrides());
    let met = MET.load(std::sync::atomic::Ordering::Relaxed);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    overriding.join().unwrap();
    assert_eq!(met, 200, "the rule was met {met} times of 200");
}

static QUIET_CONF: Conf<AppConfig> = Conf::new();

/// A conf no `#[conf]` names reads its base value from any thread, also while a test
/// overrides it at run time (`override_with`, which the compile-time rule cannot see).
#[test]
fn a_conf_no_attribute_names_is_read_as_its_base_from_any_thread() {
    #[testrig::test]
    fn overrides_at_run_time() {
        let _guard = QUIET_CONF.override_with(|c| c.name = "run-time".into());
        assert_eq!(std::thread::spawn(|| QUIET_CONF.get().name.clone()).join().unwrap(), "");
        assert_eq!(QUIET_CONF.get().name, "run-time");
    }
    overrides_at_run_time();
    assert_eq!(std::thread::spawn(|| QUIET_CONF.get().name.clone()).join().unwrap(), "");
}

static NAMED_CONF: Conf<AppConfig> = Conf::new();

/// What threads and runtimes an application builds inside an overriding test see: a named
/// `std::thread` and the workers of a tokio runtime it builds are outside the test's scope and
/// read the base value; that runtime's `block_on`, on the test's own thread, and
/// `testrig::thread::spawn` see the test's values.
#[testrig::test]
#[conf(in = NAMED_CONF, name = "overridden")]
fn named_threads_and_runtimes_built_in_a_test_read_the_base_value() {
    let named = std::thread::Builder::new()
        .name("app-worker".into())
        .spawn(|| NAMED_CONF.get().name.clone())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(named, "");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    let on_worker = runtime.block_on(runtime.spawn(async { NAMED_CONF.get().name.clone() })).unwrap();
    assert_eq!(on_worker, "");
    assert_eq!(runtime.block_on(async { NAMED_CONF.get().name.clone() }), "overridden");
    assert_eq!(testrig::thread::spawn(|| NAMED_CONF.get().name.clone()).join().unwrap(), "overridden");
}

#[testrig::test]
fn set_inside_a_test_is_refused() {
    let refused = catch_unwind(AssertUnwindSafe(|| CONF.set(AppConfig::default()))).unwrap_err();
    assert!(refused.downcast_ref::<String>().unwrap().contains("use `#[conf(field = value)]`"));
}

#[test]
fn override_outside_a_test_is_refused() {
    let refused = catch_unwind(|| drop(CONF.override_with(|c| c.name = "x".into()))).unwrap_err();
    assert!(refused.downcast_ref::<&str>().unwrap().contains("needs a fixture test"));
}

static LOADED: Conf<AppConfig> = Conf::with_loader(|| AppConfig { name: "loaded".into(), ..AppConfig::default() });

#[test]
fn base_comes_from_the_loader_then_from_set() {
    assert_eq!(LOADED.get().name, "loaded");
    LOADED.set(AppConfig { name: "set".into(), ..AppConfig::default() });
    assert_eq!(LOADED.get().name, "set");
}

static BASE_CHANGES: Conf<AppConfig> = Conf::new();

#[testrig::test]
fn a_test_view_follows_base_changes() {
    {
        let _guard = BASE_CHANGES.override_with(|c| c.scheduler.max_attempts = 4);
        assert_eq!(BASE_CHANGES.get().name, "");
        // The base changes from outside the test (another thread, as production code would).
        std::thread::Builder::new()
            .name("base-writer".into())
            .spawn(|| BASE_CHANGES.set(AppConfig { name: "new base".into(), ..AppConfig::default() }))
            .unwrap()
            .join()
            .unwrap();
        let conf = BASE_CHANGES.get();
        assert_eq!((conf.name.as_str(), conf.scheduler.max_attempts), ("new base", 4));
    }
}
