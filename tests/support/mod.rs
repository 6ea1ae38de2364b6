//! Probe fixtures shared by the behaviour tests: each records what happens to it in the
//! test's `Journal`, and fails where the test's `FaultPlan` says.
#![allow(dead_code)]

pub mod databases;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use testrig::prelude::*;
use testrig::BoxError;

/// Where to inject failures: fixture names per kind of fault.
#[derive(Default, Clone)]
pub struct FaultPlan {
    pub setup_error: Option<&'static str>,
    pub setup_panic: Option<&'static str>,
    pub teardown_error: Vec<&'static str>,
    pub teardown_panic: Vec<&'static str>,
    pub body_panic: bool,
    /// The body returns `Err` (for bodies that call [`Journal::body_outcome`]).
    pub body_error: bool,
}

thread_local! {
    /// The plan for the next case run on this thread; read by the case's `#[with]` config.
    pub static NEXT_FAULTS: RefCell<FaultPlan> = RefCell::new(FaultPlan::default());
    /// The journal of the last case run on this thread.
    static LAST_JOURNAL: RefCell<Option<Journal>> = const { RefCell::new(None) };
}

pub fn next_faults() -> FaultPlan {
    NEXT_FAULTS.with(|faults| faults.take())
}

/// The events of one test, in order, and its fault plan.
#[derive(Clone)]
pub struct Journal {
    events: Arc<Mutex<Vec<String>>>,
    faults: Arc<FaultPlan>,
}

#[fixture]
impl Journal {
    fn setup(#[options] faults: &FaultPlan) -> Self {
        let journal = Journal { events: Arc::default(), faults: Arc::new(faults.clone()) };
        LAST_JOURNAL.with(|last| *last.borrow_mut() = Some(journal.clone()));
        journal
    }
}

impl Journal {
    pub fn record(&self, event: impl Into<String>) {
        self.events.lock().unwrap().push(event.into());
    }

    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    pub fn set_up(&self, name: &'static str) -> Result<(), BoxError> {
        if self.faults.setup_panic == Some(name) {
            panic!("injected setup panic in {name}");
        }
        if self.faults.setup_error == Some(name) {
            return Err(format!("injected setup error in {name}").into());
        }
        self.record(format!("setup {name}"));
        Ok(())
    }

    pub fn tear_down(&self, name: &'static str) -> Result<(), BoxError> {
        self.record(format!("teardown {name}"));
        if self.faults.teardown_panic.contains(&name) {
            panic!("injected teardown panic in {name}");
        }
        if self.faults.teardown_error.contains(&name) {
            return Err(format!("injected teardown error in {name}").into());
        }
        Ok(())
    }

    pub fn body(&self) {
        self.record("body");
        if self.faults.body_panic {
            panic!("injected body panic");
        }
    }

    /// The body of a test returning `Result`: panics or returns `Err` as the plan says.
    pub fn body_outcome(&self) -> Result<(), String> {
        self.body();
        if self.faults.body_error {
            return Err("injected body error".to_owned());
        }
        Ok(())
    }
}

/// Runs a fixture test function with `faults`, returning its journal and its outcome.
pub fn run_case(case: fn(), faults: FaultPlan) -> (Vec<String>, Result<(), String>) {
    NEXT_FAULTS.with(|next| *next.borrow_mut() = faults);
    LAST_JOURNAL.with(|last| last.borrow_mut().take());
    let outcome = catch_unwind(AssertUnwindSafe(case)).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    });
    let events = LAST_JOURNAL.with(|last| last.borrow().as_ref().map(Journal::events)).unwrap_or_default();
    (events, outcome)
}

/// A chain A <- B <- C <- D <- E (E needs D, .., B needs A); C and E are async.
pub struct A(Journal);
pub struct B(Journal);
pub struct C(Journal);
pub struct D(Journal);
pub struct E(Journal);

#[fixture]
impl A {
    fn setup(journal: &Journal) -> Result<Self, BoxError> {
        journal.set_up("A")?;
        Ok(A(journal.clone()))
    }
    fn teardown(self) -> Result<(), BoxError> {
        self.0.tear_down("A")
    }
}

#[fixture]
impl B {
    fn setup(journal: &Journal, _a: &A) -> Result<Self, BoxError> {
        journal.set_up("B")?;
        Ok(B(journal.clone()))
    }
    fn teardown(self) -> Result<(), BoxError> {
        self.0.tear_down("B")
    }
}

#[fixture]
impl C {
    async fn setup(journal: &Journal, _b: &B) -> Result<Self, BoxError> {
        // Really suspends, so the step is only complete if the runtime awaited it.
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        journal.set_up("C")?;
        Ok(C(journal.clone()))
    }
    async fn teardown(self) -> Result<(), BoxError> {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        self.0.tear_down("C")
    }
}

#[fixture]
impl D {
    fn setup(journal: &Journal, _c: &C) -> Result<Self, BoxError> {
        journal.set_up("D")?;
        Ok(D(journal.clone()))
    }
    fn teardown(self) -> Result<(), BoxError> {
        self.0.tear_down("D")
    }
}

#[fixture]
impl E {
    async fn setup(journal: &Journal, _d: &D) -> Result<Self, BoxError> {
        tokio::task::yield_now().await;
        journal.set_up("E")?;
        Ok(E(journal.clone()))
    }
    async fn teardown(self) -> Result<(), BoxError> {
        tokio::task::yield_now().await;
        self.0.tear_down("E")
    }
}

/// Runs the ignored test `case` of this test binary alone, in a child process, with `env`
/// set: what the harness printed and how it ended.
pub fn run_alone(case: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", case, "--ignored", "--test-threads=1"]).envs(env.iter().copied());
    command.output().unwrap()
}

/// What a child process printed, stdout then stderr.
pub fn printed(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The text of a panic caught from a test: its `String` or `&str` message.
pub fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_default()
}

/// For a test of what one process does with its databases (its free list, its owner lock,
/// reaping when it is gone): under nextest, where the run's handout would hand this
/// process's tests their databases instead, this process makes its own (as under
/// `cargo test`). Set before any database: nextest runs one test per process, so no other
/// thread reads the environment meanwhile; under `cargo test` nothing is set.
pub fn without_handout() {
    if std::env::var_os("NEXTEST_RUN_ID").is_some() {
        // SAFETY (edition 2024 would ask): this process runs one test, on this thread, and
        // it has started no other thread yet.
        std::env::set_var("TESTRIG_DB_HANDOUT", "0");
    }
}
