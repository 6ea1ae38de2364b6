//! `#[case]` rows and `#[values]` products: one test per case, fixtures and case values in one
//! signature, cases that configure fixtures, per-case attributes and names.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use testrig::prelude::*;
use testrig::Conf;

#[derive(Clone, Default)]
pub struct Settings {
    pub workers: usize,
}

pub static CONF: Conf<Settings> = Conf::new();

/// Records which generated tests ran, by their full names.
static RAN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

fn ran() {
    let name = testrig::Scope::current().unwrap().test_name();
    RAN.lock().unwrap().push(name);
}

pub struct Counter(AtomicUsize);

#[fixture]
impl Counter {
    fn setup() -> Self {
        Counter(AtomicUsize::new(10))
    }
}

#[testrig::test]
#[case(1, 2, 3)]
#[case::negative(-1, -2, -3)]
#[case::zero(0, 0, 0)]
fn adds(a: i32, b: i32, sum: i32) {
    ran();
    assert_eq!(a + b, sum);
}

thread_local! {
    /// The rows `adds_recorded` ran with, on this thread.
    static ROWS: std::cell::RefCell<Vec<(i32, i32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[testrig::test]
#[case(1, 2)]
#[case::negative(-1, -2)]
fn adds_recorded(a: i32, b: i32) {
    ROWS.with(|rows| rows.borrow_mut().push((a, b)));
    let name = testrig::Scope::current().unwrap().test_name();
    let expected = if a > 0 { "adds_recorded::case_1" } else { "adds_recorded::case_2_negative" };
    assert!(name.ends_with(expected), "{name} runs the row of {expected}");
}

#[test]
fn each_row_is_its_own_test_named_after_it() {
    // Each case function runs its own row, once, under its own name (checked inside).
    adds_recorded::case_2_negative();
    adds_recorded::case_1();
    assert_eq!(ROWS.with(|rows| rows.borrow().clone()), [(-1, -2), (1, 2)]);
}

#[testrig::test]
async fn values_make_a_product(#[values(1, 2, 3)] x: u32, counter: &Counter, #[values("a", "b")] tag: &'static str) {
    ran();
    assert!((1..=3).contains(&x) && (tag == "a" || tag == "b"));
    assert_eq!(counter.0.fetch_add(1, Ordering::SeqCst), 10, "each case has its own fixtures");
}

#[testrig::test]
#[case::two(2)]
#[case::eight(8)]
#[conf(workers = workers)]
fn a_case_value_configures_the_test(workers: usize) {
    assert_eq!(CONF.get().workers, workers);
}

#[testrig::test]
#[case::fine(1)]
// rstest's placement: an attribute before a row is that row's.
#[should_panic(expected = "division by zero")]
#[case::fails(0)]
fn per_case_should_panic(divisor: u32) {
    if divisor == 0 {
        panic!("division by zero");
    }
}

#[testrig::test]
#[case::runs(1)]
#[ignore = "only this case is ignored"]
#[case::skipped(2)]
fn per_case_ignore(n: u32) {
    assert_eq!(n, 1, "the ignored case must not run");
}

#[testrig::test]
#[case(3)]
fn rows_and_values_combine(#[values(10, 20)] base: u32, extra: u32) {
    assert!(base + extra == 13 || base + extra == 23);
}

#[test]
fn the_harness_lists_every_case_by_name() {
    let output = std::process::Command::new(std::env::current_exe().unwrap()).args(["--list"]).output().unwrap();
    let list = String::from_utf8_lossy(&output.stdout);
    for name in [
        "adds::case_1: test",
        "adds::case_2_negative: test",
        "values_make_a_product::x_1_1::tag_1___a__: test",
        "values_make_a_product::x_3_3::tag_2___b__: test",
        "a_case_value_configures_the_test::case_2_eight: test",
        "rows_and_values_combine::case_1::base_2_20: test",
    ] {
        assert!(list.contains(name), "{name} missing from:\n{list}");
    }
    assert_eq!(list.matches("values_make_a_product::").count(), 6);
}

#[test]
fn a_case_can_be_run_alone_by_its_name() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "adds::case_2_negative", "--test-threads=1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 passed") && stdout.contains("adds::case_2_negative"), "{stdout}");
}

/// A string literal for a parameter that is not a `&str` is parsed with `FromStr`.
#[testrig::test]
#[case("1.2.3.4:42", 42)]
#[case("[::1]:8080", 8080)]
fn string_literals_parse_into_the_parameter_type(addr: std::net::SocketAddr, port: u16) {
    assert_eq!(addr.port(), port);
}

#[testrig::test]
fn values_parse_too(#[values("10", "20")] n: u32, #[values("x", "y")] name: String, #[values("a")] tag: &'static str) {
    assert!((n == 10 || n == 20) && (name == "x" || name == "y") && tag == "a");
}

#[test]
fn a_value_that_does_not_parse_fails_its_case_naming_it() {
    #[testrig::test]
    #[case("not an address")]
    fn bad(addr: std::net::SocketAddr) {
        let _ = addr;
    }
    let failure = std::panic::catch_unwind(bad::case_1).unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("case value \"not an address\" is not a valid `core::net::socket_addr::SocketAddr`"),
        "{message}"
    );
}
