//! Setup order, shared instances and teardown in reverse, whatever fails where.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use support::{next_faults, run_case, FaultPlan, Journal, E};
use testrig::prelude::*;

fn events(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

const FULL_RUN: &[&str] = &[
    "setup A",
    "setup B",
    "setup C",
    "setup D",
    "setup E",
    "body",
    "teardown E",
    "teardown D",
    "teardown C",
    "teardown B",
    "teardown A",
];

#[testrig::test]
#[with(Journal = next_faults())]
fn chain_case(journal: &Journal, _e: &E) {
    journal.body();
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
#[with(Journal = next_faults())]
async fn async_chain_case(journal: &Journal, _e: &E) {
    tokio::task::yield_now().await;
    journal.body();
}

#[test]
fn five_deep_chain_sets_up_dependencies_first_and_tears_down_in_reverse() {
    let (journal, outcome) = run_case(chain_case, FaultPlan::default());
    assert_eq!(outcome, Ok(()));
    assert_eq!(journal, events(FULL_RUN));
}

#[test]
fn async_test_awaits_async_setup_and_teardown() {
    let (journal, outcome) = run_case(async_chain_case, FaultPlan::default());
    assert_eq!(outcome, Ok(()));
    assert_eq!(journal, events(FULL_RUN));
}

#[test]
fn body_panic_still_tears_everything_down_and_keeps_the_panic() {
    let (journal, outcome) = run_case(chain_case, FaultPlan { body_panic: true, ..FaultPlan::default() });
    assert_eq!(outcome, Err("injected body panic".to_owned()));
    assert_eq!(journal, events(FULL_RUN));
}

#[test]
fn setup_failure_at_each_position_tears_down_only_what_was_set_up() {
    let names = ["A", "B", "C", "D", "E"];
    for (position, name) in names.iter().enumerate() {
        for panics in [false, true] {
            let faults = if panics {
                FaultPlan { setup_panic: Some(name), ..FaultPlan::default() }
            } else {
                FaultPlan { setup_error: Some(name), ..FaultPlan::default() }
            };
            for case in [chain_case as fn(), async_chain_case] {
                let (journal, outcome) = run_case(case, faults.clone());
                let mut expected: Vec<String> = names[..position].iter().map(|n| format!("setup {n}")).collect();
                expected.extend(names[..position].iter().rev().map(|n| format!("teardown {n}")));
                assert_eq!(journal, expected, "fault in setup of {name}, panics: {panics}");
                let message = outcome.unwrap_err();
                let verb = if panics { "panicked" } else { "failed" };
                let kind = if panics { "panic" } else { "error" };
                assert!(
                    message.contains(&format!("setup of fixture `{name}` {verb}: injected setup {kind} in {name}")),
                    "{message}"
                );
                assert!(!message.contains("body"), "the body must not run: {message}");
            }
        }
    }
}

#[test]
fn every_teardown_runs_and_all_failures_are_reported_in_order() {
    let faults = FaultPlan { teardown_error: vec!["B", "D"], teardown_panic: vec!["C"], ..FaultPlan::default() };
    let (journal, outcome) = run_case(async_chain_case, faults);
    assert_eq!(journal, events(FULL_RUN));
    let message = outcome.unwrap_err();
    let expected = "failed:\n  - teardown of fixture `D` failed: injected teardown error in D\n  - teardown of fixture `C` panicked: injected teardown panic in C\n  - teardown of fixture `B` failed: injected teardown error in B";
    assert!(message.contains(expected), "{message}");
}

#[test]
fn a_passing_test_whose_teardown_fails_fails() {
    let faults = FaultPlan { teardown_error: vec!["A"], ..FaultPlan::default() };
    let (journal, outcome) = run_case(chain_case, faults);
    assert_eq!(journal, events(FULL_RUN));
    let message = outcome.unwrap_err();
    assert!(message.starts_with("fixture test `stack::chain_case` failed:"), "{message}");
    assert!(message.contains("teardown of fixture `A` failed"), "{message}");
}

#[test]
fn body_panic_with_teardown_failure_reports_both_body_first() {
    let faults = FaultPlan { body_panic: true, teardown_panic: vec!["E"], ..FaultPlan::default() };
    let (journal, outcome) = run_case(chain_case, faults);
    assert_eq!(journal, events(FULL_RUN));
    let message = outcome.unwrap_err();
    assert!(message.starts_with("injected body panic\n"), "{message}");
    assert!(message.contains("teardown of fixture `E` panicked: injected teardown panic in E"), "{message}");
}

// A diamond: Top needs Left and Right, both need Base.
static BASES_SET_UP: AtomicUsize = AtomicUsize::new(0);

pub struct Base {
    id: usize,
    journal: Journal,
}
pub struct Left(usize);
pub struct Right(usize);
pub struct Top;

#[fixture]
impl Base {
    fn setup(journal: &Journal) -> Self {
        journal.record("setup Base");
        Base { id: BASES_SET_UP.fetch_add(1, Ordering::SeqCst), journal: journal.clone() }
    }
    fn teardown(self) {
        self.journal.record("teardown Base");
    }
}

#[fixture]
impl Left {
    fn setup(base: &Base) -> Self {
        base.journal.record("setup Left");
        Left(base.id)
    }
}

#[fixture]
impl Right {
    async fn setup(base: &Base) -> Self {
        base.journal.record("setup Right");
        Right(base.id)
    }
}

#[fixture]
impl Top {
    fn setup(left: &Left, right: &Right, journal: &Journal) -> Self {
        assert_eq!(left.0, right.0, "both sides of the diamond see one Base");
        journal.record("setup Top");
        Top
    }
}

#[testrig::test]
#[with(Journal = next_faults())]
fn diamond_case(_top: &Top, base: &Base, left: &Left, journal: &Journal) {
    assert_eq!(base.id, left.0, "the body sees the same Base as the fixtures");
    journal.record("body");
}

#[test]
fn diamond_sets_up_the_shared_dependency_once() {
    let (journal, outcome) = run_case(diamond_case, FaultPlan::default());
    assert_eq!(outcome, Ok(()));
    assert_eq!(journal, events(&["setup Base", "setup Left", "setup Right", "setup Top", "body", "teardown Base"]));
}

// Fixtures declared as functions compose with impl fixtures: `fn greeting` is `Greeting`.
#[fixture]
fn greeting(journal: &Journal) -> String {
    journal.record("setup Greeting");
    "hello".into()
}

#[testrig::test]
fn function_fixtures_are_injected(greeting: &Greeting, journal: &Journal) {
    assert_eq!(greeting.as_str(), "hello");
    assert_eq!(journal.events(), ["setup Greeting"]);
}

// A configured fixture gets the test's value; unconfigured tests get the default.
pub struct Named(String);

#[derive(Default)]
pub struct NameConfig(String);

#[fixture]
impl Named {
    fn setup(#[options] name: &NameConfig) -> Self {
        NAMED_FOR.lock().unwrap().push(testrig::Scope::current().unwrap().test_name());
        Named(if name.0.is_empty() { "default".into() } else { name.0.clone() })
    }
}

#[testrig::test]
#[with(Named = NameConfig("cell1".to_owned()))]
fn configured_fixture_gets_the_test_value(named: &Named) {
    assert_eq!(named.0, "cell1");
}

#[testrig::test]
fn unconfigured_fixture_gets_the_default(named: &Named) {
    assert_eq!(named.0, "default");
}

/// The tests `Named` was set up for.
static NAMED_FOR: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

#[with(Named)]
fn with_alone_makes_a_fixture_test() {
    let this = testrig::Scope::current().unwrap().test_name();
    assert!(NAMED_FOR.lock().unwrap().contains(&this), "`#[with(Named)]` set Named up for {this}");
}

#[testrig::test]
fn test_without_fixtures_still_gets_a_scope() {
    assert!(testrig::Scope::current().is_some());
}
