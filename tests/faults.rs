//! Fault injection: a panic or an error at every setup position, in the body and at every
//! teardown position of a 5-fixture stack (sync and async fixtures mixed), alone and in every
//! combination a test can reach, under a sync test, an async current-thread test and an async
//! multi-thread test. Each run is checked against a model of what must happen: which fixtures
//! are set up and torn down (once each, in reverse), the exact report, the test's outcome, and
//! that the test's scope state (conf override, env, poison, log capture, current cell) is gone.
#![allow(unnameable_test_items)] // cases nested in the tests that check what they leave behind

mod support;

use std::cell::RefCell;
use std::panic::catch_unwind;
use std::sync::Once;

use support::{next_faults, run_case, FaultPlan, Journal, E};
use testrig::db::{self, Cells, DbError};
use testrig::logs::Logs;
use testrig::prelude::*;
use testrig::Conf;

testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

#[derive(Clone, Default)]
pub struct Settings {
    pub workers: u32,
    pub region: String,
}

pub static CONF: Conf<Settings> = Conf::new();

const NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Error,
    Panic,
}

/// One combination of injected faults.
#[derive(Clone, Debug)]
struct Faults {
    setup: Option<(usize, Kind)>,
    body: Option<Kind>,
    teardown: [Option<Kind>; 5],
}

impl Faults {
    /// Every combination a run can tell apart: with a setup fault the body never runs and
    /// only the fixtures before it are torn down, so faults elsewhere are unobservable.
    fn all() -> Vec<Faults> {
        let mut all = Vec::new();
        for setup in
            std::iter::once(None).chain((0..5).flat_map(|at| [Some((at, Kind::Error)), Some((at, Kind::Panic))]))
        {
            let set_up = setup.map_or(5, |(at, _)| at);
            let bodies: &[Option<Kind>] =
                if setup.is_some() { &[None] } else { &[None, Some(Kind::Error), Some(Kind::Panic)] };
            for &body in bodies {
                for mut code in 0..3usize.pow(set_up as u32) {
                    let mut teardown = [None; 5];
                    for slot in teardown.iter_mut().take(set_up) {
                        *slot = [None, Some(Kind::Error), Some(Kind::Panic)][code % 3];
                        code /= 3;
                    }
                    all.push(Faults { setup, body, teardown });
                }
            }
        }
        all
    }

    /// One fault at each position, and a body panic with each teardown failing.
    fn singles() -> Vec<Faults> {
        Faults::all()
            .into_iter()
            .filter(|faults| {
                let count = faults.setup.is_some() as usize
                    + faults.body.is_some() as usize
                    + faults.teardown.iter().flatten().count();
                count <= 1 || (faults.body == Some(Kind::Panic) && count == 2)
            })
            .collect()
    }

    fn plan(&self) -> FaultPlan {
        let mut plan = FaultPlan::default();
        match self.setup {
            Some((at, Kind::Error)) => plan.setup_error = Some(NAMES[at]),
            Some((at, Kind::Panic)) => plan.setup_panic = Some(NAMES[at]),
            None => {}
        }
        plan.body_error = self.body == Some(Kind::Error);
        plan.body_panic = self.body == Some(Kind::Panic);
        for (name, fault) in NAMES.iter().zip(self.teardown) {
            match fault {
                Some(Kind::Error) => plan.teardown_error.push(name),
                Some(Kind::Panic) => plan.teardown_panic.push(name),
                None => {}
            }
        }
        plan
    }

    fn set_up(&self) -> usize {
        self.setup.map_or(5, |(at, _)| at)
    }

    /// What the journal must say: the fixtures before the fault set up in order, the body if
    /// they all were, and each of them torn down once, in reverse.
    fn journal(&self) -> Vec<String> {
        let set_up = &NAMES[..self.set_up()];
        let mut events: Vec<String> = set_up.iter().map(|name| format!("setup {name}")).collect();
        if self.setup.is_none() {
            events.push("body".to_owned());
        }
        events.extend(set_up.iter().rev().map(|name| format!("teardown {name}")));
        events
    }

    /// The test's outcome: `Ok`, the body's own panic untouched, or one report naming every
    /// failure in the order it happened.
    fn outcome(&self, test: &str) -> Result<(), String> {
        let verb = |kind| if kind == Kind::Panic { "panicked" } else { "failed" };
        let noun = |kind| if kind == Kind::Panic { "panic" } else { "error" };
        let mut failures = Vec::new();
        if let Some((at, kind)) = self.setup {
            let name = NAMES[at];
            failures.push(format!("setup of fixture `{name}` {}: injected setup {} in {name}", verb(kind), noun(kind)));
        }
        match self.body {
            Some(Kind::Panic) => failures.push("test body panicked: injected body panic".to_owned()),
            Some(Kind::Error) => failures.push("test body failed: Error: \"injected body error\"".to_owned()),
            None => {}
        }
        for at in (0..self.set_up()).rev() {
            if let Some(kind) = self.teardown[at] {
                let name = NAMES[at];
                failures.push(format!(
                    "teardown of fixture `{name}` {}: injected teardown {} in {name}",
                    verb(kind),
                    noun(kind)
                ));
            }
        }
        match failures.len() {
            0 => Ok(()),
            1 if self.body == Some(Kind::Panic) => Err("injected body panic".to_owned()),
            _ => {
                let mut message = String::new();
                if self.body == Some(Kind::Panic) {
                    message.push_str("injected body panic\n");
                }
                message.push_str(&format!("fixture test `{test}` failed:"));
                failures.iter().for_each(|failure| message.push_str(&format!("\n  - {failure}")));
                Err(message)
            }
        }
    }
}

/// Injected panics are expected by the thousand; the hook stays quiet about them only.
fn quiet_injected_panics() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str));
            // The poison probe in the body trips on purpose too.
            if !text.is_some_and(|text| text.contains("injected") || text.contains("does not claim the database")) {
                default(info);
            }
        }));
    });
}

thread_local! {
    /// What the body saw of its scope, checked after the run.
    static SEEN_IN_BODY: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The scope state a test has while its body runs; `None` when everything is in place.
fn state_in_body(logs: &Logs, env_key: &str) -> Option<String> {
    let conf = CONF.get();
    let mut wrong = Vec::new();
    if (conf.workers, conf.region.as_str()) != (8, "test-region") {
        wrong.push("conf override missing");
    }
    if std::env::var(env_key).as_deref() != Ok("on") {
        wrong.push("env not set");
    }
    if catch_unwind(|| db::api().map(drop)).is_ok() {
        wrong.push("database not poisoned");
    }
    tracing::info!("body of the fault matrix");
    if !logs.contains("body of the fault matrix") {
        wrong.push("log not captured");
    }
    (!wrong.is_empty()).then(|| wrong.join(", "))
}

/// The thread's state after a run: nothing of the test may remain.
fn assert_scope_state_gone(context: &str, env_key: &str) {
    assert!(testrig::Scope::current().is_none(), "{context}: the test's scope is still entered");
    let conf = CONF.get();
    assert_eq!((conf.workers, conf.region.as_str()), (0, ""), "{context}: conf override left behind");
    assert!(std::env::var(env_key).is_err(), "{context}: env var left behind");
    let access = catch_unwind(|| db::api().map(drop));
    assert!(matches!(access, Ok(Err(DbError::NotConfigured { .. }))), "{context}: database still poisoned");
    assert!(matches!(db::cell(), Err(DbError::Untargeted)), "{context}: a current cell is left behind");
    let captured = tracing::dispatcher::get_default(|dispatch| !dispatch.is::<tracing::subscriber::NoSubscriber>());
    assert!(!captured, "{context}: log capture is still this thread's subscriber");
}

/// Runs `case` under every fault combination and checks each run against the model.
fn run_matrix(case: fn(), test: &str, env_key: &str, faults: &[Faults]) -> usize {
    quiet_injected_panics();
    for fault in faults {
        SEEN_IN_BODY.with(|seen| *seen.borrow_mut() = None);
        let (journal, outcome) = run_case(case, fault.plan());
        let context = format!("{test} with {fault:?}");
        assert_eq!(journal, fault.journal(), "{context}: setup/teardown order");
        assert_eq!(outcome, fault.outcome(test), "{context}: report");
        if fault.setup.is_none() {
            let seen = SEEN_IN_BODY.with(|seen| seen.borrow_mut().take());
            assert_eq!(seen, None, "{context}: the body's scope state");
        }
        assert_scope_state_gone(&context, env_key);
    }
    faults.len()
}

#[test]
fn every_fault_combination_in_a_sync_test() {
    #[testrig::test]
    #[with(Journal = next_faults())]
    #[conf(in = CONF, workers = 8, region = "test-region")]
    #[env(TESTRIG_FAULTS_SYNC = "on")]
    #[poison_db]
    #[capture_logs]
    fn sync_case(journal: &Journal, _e: &E, logs: &Logs) -> Result<(), String> {
        SEEN_IN_BODY.with(|seen| *seen.borrow_mut() = state_in_body(logs, "TESTRIG_FAULTS_SYNC"));
        // Runtime overrides must go with the scope too, even when the guard is never dropped.
        std::mem::forget(CONF.override_with(|settings| settings.workers = 9));
        journal.body_outcome()
    }

    let runs = run_matrix(sync_case, "faults::sync_case", "TESTRIG_FAULTS_SYNC", &Faults::all());
    println!("sync test: {runs} fault combinations injected");
    assert_eq!(runs, 971);
}

#[test]
fn every_fault_combination_in_an_async_current_thread_test() {
    #[testrig::test]
    #[with(Journal = next_faults())]
    #[conf(in = CONF, workers = 8, region = "test-region")]
    #[env(TESTRIG_FAULTS_CURRENT_THREAD = "on")]
    #[poison_db]
    #[capture_logs]
    async fn current_thread_case(journal: &Journal, _e: &E, logs: &Logs) -> Result<(), String> {
        tokio::task::yield_now().await;
        SEEN_IN_BODY.with(|seen| *seen.borrow_mut() = state_in_body(logs, "TESTRIG_FAULTS_CURRENT_THREAD"));
        std::mem::forget(CONF.override_with(|settings| settings.workers = 9));
        journal.body_outcome()
    }

    let runs =
        run_matrix(current_thread_case, "faults::current_thread_case", "TESTRIG_FAULTS_CURRENT_THREAD", &Faults::all());
    println!("async current-thread test: {runs} fault combinations injected");
    assert_eq!(runs, 971);
}

#[test]
fn every_fault_combination_in_an_async_multi_thread_test() {
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    #[with(Journal = next_faults())]
    #[conf(in = CONF, workers = 8, region = "test-region")]
    #[env(TESTRIG_FAULTS_MULTI_THREAD = "on")]
    #[poison_db]
    #[capture_logs]
    async fn multi_thread_case(journal: &Journal, _e: &E, logs: &Logs) -> Result<(), String> {
        // The body's state is checked on a worker thread: the scope must be there as well.
        let logs = logs.clone();
        let seen = testrig::spawn(async move { state_in_body(&logs, "TESTRIG_FAULTS_MULTI_THREAD") }).await.unwrap();
        SEEN_IN_BODY.with(|cell| *cell.borrow_mut() = seen);
        std::mem::forget(CONF.override_with(|settings| settings.workers = 9));
        journal.body_outcome()
    }

    let runs =
        run_matrix(multi_thread_case, "faults::multi_thread_case", "TESTRIG_FAULTS_MULTI_THREAD", &Faults::all());
    println!("async multi-thread test: {runs} fault combinations injected");
    assert_eq!(runs, 971);
}

thread_local! {
    /// Where the last cells case's databases live.
    static LOCATIONS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records the test's databases before any fault can strike (it comes first in the plan).
pub struct Recorded;

#[fixture]
impl Recorded {
    fn setup(cells: &Cells) -> Self {
        let locations = cells.locations();
        LOCATIONS.with(|slot| *slot.borrow_mut() = locations);
        Recorded
    }
}

#[test]
fn single_faults_with_cells_leave_no_cell_and_no_database_behind() {
    support::without_handout();
    #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
    #[with(Journal = next_faults())]
    #[with_cells(in = SCHEMA, cell1)]
    #[conf(in = CONF, workers = 8, region = "test-region")]
    #[env(TESTRIG_FAULTS_CELLS = "on")]
    #[capture_logs]
    async fn cells_case(_recorded: &Recorded, cells: &Cells, journal: &Journal, _e: &E) -> Result<(), String> {
        let journal = journal.clone();
        // The fault strikes with a cell targeted: the current cell must not outlive it.
        cells
            .target("cell1", async move {
                assert!(db::cell().is_ok());
                journal.body_outcome()
            })
            .await
    }

    quiet_injected_panics();
    let faults = Faults::singles();
    for fault in &faults {
        LOCATIONS.with(|slot| slot.borrow_mut().clear());
        let (journal, outcome) = run_case(cells_case, fault.plan());
        let context = format!("cells_case with {fault:?}");
        assert_eq!(journal, fault.journal(), "{context}");
        assert_eq!(outcome, fault.outcome("faults::cells_case"), "{context}");
        assert_scope_state_gone(&context, "TESTRIG_FAULTS_CELLS");
        let locations = LOCATIONS.with(|slot| slot.borrow().clone());
        assert_eq!(locations.len(), 3, "{context}: api, cell0, cell1");
        let mut existing = support::databases::existing(&locations);
        if outcome.is_err() {
            let mut locations = locations.clone();
            existing.sort();
            locations.sort();
            // Kept for inspection, and named on stderr; removed here.
            assert_eq!(existing, locations, "{context}: a failed test keeps its databases");
            support::databases::remove(&locations);
        } else if support::databases::server_url().is_none() {
            assert!(existing.is_empty(), "{context}: left behind {existing:?}");
        }
    }
    println!("cells test: {} fault combinations injected, 0 databases left behind", faults.len());
}
