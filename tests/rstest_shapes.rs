//! rstest's shapes, as rstest means them (each checked against rstest 0.29 itself): a
//! parameter taken by value is the fixture function of its name, called for it; `#[case]`
//! marks the case values; `#[from]`, `#[with]`, `#[default]`, `#[once]`, `#[future]`,
//! `#[by_ref]`; generic and `impl Trait` fixture functions.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use testrig::prelude::*;

thread_local! {
    /// Calls of `base` on this test's thread: rstest calls a fixture function once per
    /// parameter that names it, and testrig runs a sync test's body on its own thread.
    static BASE_CALLS: Cell<usize> = const { Cell::new(0) };
}

#[fixture]
fn base() -> u32 {
    BASE_CALLS.with(|calls| calls.set(calls.get() + 1));
    2
}

#[fixture]
fn derived(base: u32) -> u32 {
    base * 10
}

#[testrig::test]
fn a_by_value_parameter_is_the_fixture_function_of_its_name(base: u32, derived: u32) {
    assert_eq!((base, derived), (2, 20));
    // Once for `base`, once for `derived`'s `base`: a fresh value per parameter, as rstest.
    assert_eq!(BASE_CALLS.with(Cell::get), 2);
}

#[testrig::test]
#[case(1, 3)]
#[case::two(2, 4)]
fn case_marks_the_case_values_and_the_rest_are_fixtures(#[case] n: u32, base: u32, #[case] expected: u32) {
    assert_eq!(n + base, expected);
}

#[testrig::test]
fn from_names_another_fixture_function(#[from(base)] renamed: u32, #[from(derived)] mut other: u32) {
    other += renamed;
    assert_eq!(other, 22);
}

#[fixture]
fn sum3(#[default(1)] a: u32, #[default(2)] b: u32, #[default(3)] c: u32) -> (u32, u32, u32) {
    (a, b, c)
}

#[testrig::test]
fn with_gives_the_first_arguments(
    sum3: (u32, u32, u32),
    #[with(9)]
    #[from(sum3)]
    one: (u32, u32, u32),
    #[from(sum3)]
    #[with(9, 8)]
    two: (u32, u32, u32),
    #[from(sum3)]
    #[with(9, 8, 7)]
    three: (u32, u32, u32),
) {
    assert_eq!([sum3, one, two, three], [(1, 2, 3), (9, 2, 3), (9, 8, 3), (9, 8, 7)]);
}

#[fixture]
fn pair(#[default(1)] a: u32, base: u32) -> (u32, u32) {
    (a, base)
}

#[testrig::test]
fn an_argument_with_does_not_give_is_still_a_fixture(#[with(50)] pair: (u32, u32)) {
    assert_eq!(pair, (50, 2));
}

#[fixture]
fn user(#[default("Alice")] name: impl AsRef<str>, #[default(22)] age: u8) -> String {
    format!("{} {age}", name.as_ref())
}

#[testrig::test]
fn default_arguments_may_be_impl_trait(
    user: String,
    #[with(String::from("Bob"))]
    #[from(user)]
    bob: String,
) {
    assert_eq!((user.as_str(), bob.as_str()), ("Alice 22", "Bob 22"));
}

#[fixture]
fn line<const N: usize>() -> [u8; N] {
    [7; N]
}

#[fixture]
fn filled<T: Default>() -> T {
    T::default()
}

#[testrig::test]
fn generic_fixture_functions_are_inferred_from_the_parameter(line: [u8; 3], filled: String, #[from(filled)] n: u64) {
    assert_eq!((line, filled.as_str(), n), ([7, 7, 7], "", 0));
}

#[fixture]
fn evens() -> impl Iterator<Item = u32> {
    (0..).step_by(2)
}

#[fixture]
fn graph_and_name() -> (Vec<u32>, &'static str) {
    (vec![1, 2], "g")
}

#[testrig::test]
fn impl_trait_and_tuples_are_values_as_returned(evens: impl Iterator<Item = u32>, graph_and_name: (Vec<u32>, &str)) {
    assert_eq!(evens.take(3).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(graph_and_name.0.len(), 2);
}

static ONCE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[fixture]
#[once]
fn expensive() -> u32 {
    ONCE_CALLS.fetch_add(1, Ordering::SeqCst);
    42
}

#[testrig::test]
#[case(1)]
#[case(2)]
#[case(3)]
fn a_once_fixture_function_is_made_once_per_process(#[case] _n: u32, expensive: &u32) {
    assert_eq!(*expensive, 42);
    assert_eq!(ONCE_CALLS.load(Ordering::SeqCst), 1);
}

#[testrig::test]
fn by_ref_lends_the_value(
    #[by_ref] base: &u32,
    #[by_ref]
    #[from(derived)]
    d: &u32,
) {
    assert_eq!(*base + *d, 22);
}

/// A fixture of testrig's stack, which a fixture function may take by reference.
pub struct Offset(u32);

#[fixture]
impl Offset {
    fn setup() -> Self {
        Offset(100)
    }
}

#[fixture]
fn offset_base(offset: &Offset, base: u32) -> u32 {
    offset.0 + base
}

#[testrig::test]
fn a_fixture_function_takes_fixtures_of_the_stack_by_reference(offset_base: u32, offset: &Offset) {
    assert_eq!(offset_base, 102);
    assert_eq!(offset.0, 100);
}

#[testrig::test]
fn testrig_takes_a_fixture_function_by_type_too(derived: &Derived) {
    assert_eq!(**derived, 20);
}

mod asynchronous {
    use super::*;

    #[fixture]
    async fn later() -> u32 {
        tokio::task::yield_now().await;
        5
    }

    #[fixture]
    async fn later_plus(later: u32) -> u32 {
        later + 1
    }

    #[testrig::test]
    async fn an_async_fixture_function_is_awaited_for_an_async_test(later: u32, later_plus: u32) {
        assert_eq!((later, later_plus), (5, 6));
    }

    #[testrig::test]
    async fn future_hands_the_future(#[future] later: u32, #[future(awt)] later_plus: u32) {
        assert_eq!(later.await + later_plus, 11);
    }

    #[testrig::test]
    #[should_panic(expected = "fixture function `later` is async and waits")]
    fn a_sync_test_cannot_wait_for_one(later: u32) {
        let _ = later;
    }
}

#[testrig::test]
#[case(1)]
#[case("two")]
#[case(2.5)]
fn a_generic_test_is_instantiated_per_case<W: std::fmt::Display>(#[case] w: W) {
    assert!(!w.to_string().is_empty());
}

#[testrig::test]
#[case("a")]
#[case(String::from("b"))]
fn an_impl_trait_case_parameter(#[case] s: impl AsRef<str>, base: u32) {
    assert_eq!(s.as_ref().len() as u32 + base, 3);
}

#[testrig::test]
#[case::same(1)]
#[case::same(2)]
fn two_rows_may_share_a_name(#[case] n: u32) {
    assert!(n > 0);
}

// rstest's placement: an attribute before a row is that row's, after the last row every row's.
#[testrig::test]
#[case(0)]
#[should_panic(expected = "the second case panics")]
#[case(1)]
#[case(2)]
fn an_attribute_before_a_row_is_that_rows(#[case] n: u32) {
    assert!(n != 1, "the second case panics");
}

#[testrig::test]
#[case(1)]
#[case(2)]
#[should_panic(expected = "every case panics")]
fn an_attribute_after_the_last_row_is_every_rows(#[case] n: u32) {
    panic!("every case panics: {n}");
}

#[testrig::test]
#[case::first(1)]
#[case(2)]
fn context_tells_the_case(#[case] n: usize, #[context] ctx: Context) {
    assert_eq!(ctx.name, "context_tells_the_case");
    assert_eq!(ctx.case, Some(n - 1));
    assert_eq!(ctx.description, if n == 1 { Some("first") } else { None });
    assert!(ctx.module.ends_with("rstest_shapes::context_tells_the_case"), "{}", ctx.module);
}

#[testrig::test]
fn context_without_cases(#[context] ctx: Context) {
    assert_eq!((ctx.name, ctx.case, ctx.description), ("context_without_cases", None, None));
}

#[testrig::test]
#[trace]
#[case(1)]
fn trace_prints_the_arguments(#[case] n: u32, base: u32, #[notrace] derived: u32) {
    assert_eq!(n + base + derived, 23);
}

#[testrig::test]
fn values_nest_as_rstest_names_them(#[values(1, 2)] x: u32, #[values("a", "b")] s: &str) {
    assert!(x > 0 && !s.is_empty());
}

#[testrig::test]
#[case::named(1)]
fn cases_and_values_nest_too(#[case] n: u32, #[values(-1, 1 + 2)] v: i32) {
    assert!(n == 1 && v != 0);
}

/// Each of `names` is a line of what this test binary lists (`name: test`).
fn assert_listed(names: &[&str]) {
    let list = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--format", "terse"])
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    for name in names {
        assert!(list.lines().any(|line| line == *name), "{name} not in:\n{list}");
    }
}

/// The names `cargo test -- --list` shows are rstest's, for the same test written for rstest.
#[test]
fn case_names_are_rstests() {
    assert_listed(&[
        "values_nest_as_rstest_names_them::x_1_1::s_1___a__: test",
        "values_nest_as_rstest_names_them::x_2_2::s_2___b__: test",
        "cases_and_values_nest_too::case_1_named::v_1__1: test",
        "cases_and_values_nest_too::case_1_named::v_2_1_2: test",
        "two_rows_may_share_a_name::case_1_same: test",
        "two_rows_may_share_a_name::case_2_same: test",
        "a_generic_test_is_instantiated_per_case::case_2: test",
    ]);
}

mod rstest_async {
    use super::*;

    #[fixture]
    async fn slow() -> u32 {
        tokio::task::yield_now().await;
        7
    }

    #[testrig::test]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tokio_test_under_ours_gives_its_options(#[future] slow: u32) {
        assert_eq!(tokio::runtime::Handle::current().runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
        assert_eq!(slow.await, 7);
    }

    #[testrig::test]
    #[awt]
    #[tokio::test]
    async fn awt_on_the_function_awaits_every_future(
        #[future] slow: u32,
        #[future]
        #[from(slow)]
        again: u32,
    ) {
        assert_eq!(slow + again, 14);
    }
}

#[template]
#[testrig::test]
#[case::one(1)]
#[ignore = "the template's second row is this row's"]
#[case::two(2)]
fn small_numbers(#[case] n: u32) {}

#[apply(small_numbers)]
#[case::three(3)]
fn a_template_gives_its_rows_and_the_tests_own_follow(n: u32, base: u32) {
    assert!(n != 2, "ignored");
    assert!(n + base > 2);
}

#[apply(small_numbers)]
fn a_template_merges_with_values(_n: u32, #[values(10, 20)] tens: u32) {
    assert!(tens >= 10);
}

mod applied_in_a_module {
    use super::*;

    #[apply(small_numbers)]
    fn from_a_child_module(n: u32) {
        assert!(n < 3);
    }
}

#[test]
fn template_names_are_rstest_reuses() {
    assert_listed(&[
        "a_template_gives_its_rows_and_the_tests_own_follow::case_3_three: test",
        "a_template_merges_with_values::case_2_two::tens_2_20: test",
        "applied_in_a_module::from_a_child_module::case_1_one: test",
    ]);
}

// rstest's `#[timeout]`: a `Duration`, and written before a row, that row's own.
#[testrig::test]
#[timeout(std::time::Duration::from_secs(30))]
#[case::quick(1)]
#[should_panic(expected = "timed out")]
#[timeout(std::time::Duration::from_millis(50))]
#[case::slow(2)]
fn a_timeout_before_a_row_is_that_rows(#[case] n: u64) {
    std::thread::sleep(std::time::Duration::from_millis(200 * (n - 1)));
}

/// A type of the user's own named as testrig would name the function's (`TwoNumerals` for
/// `two_numerals`): the user's wins, and the fixture is still found by name.
#[derive(Debug, PartialEq)]
struct TwoNumerals(u8, u8);

#[fixture]
fn two_numerals() -> TwoNumerals {
    TwoNumerals(1, 2)
}

/// A function named after the type it returns: taken by name.
#[derive(Debug, PartialEq)]
pub struct Client(&'static str);

#[fixture]
fn client() -> Client {
    Client("c")
}

/// A type with a lifetime, taken by value with the lifetime left out, as rstest allows.
pub struct Borrowed<'a>(&'a str);

#[fixture]
fn borrowed() -> Borrowed<'static> {
    Borrowed("b")
}

#[testrig::test]
fn names_the_user_already_has_are_the_users(two_numerals: TwoNumerals, client: Client, borrowed: Borrowed) {
    assert_eq!(two_numerals, TwoNumerals(1, 2));
    assert_eq!(client, Client("c"));
    assert_eq!(borrowed.0, "b");
}

#[testrig::test]
#[case(1)]
#[case(2)]
#[ignore = "run by `a_failing_case_backtrace_shows_the_test_not_the_runtime` in a child process"]
fn a_failing_case(#[case] n: u32, base: u32) {
    assert_eq!(n, base + 10, "case {n} fails");
}

/// A failing case's short backtrace (`RUST_BACKTRACE=1`) is the test's own frames, as rstest's
/// is: testrig's runtime and the harness are cut below them.
#[test]
fn a_failing_case_backtrace_shows_the_test_not_the_runtime() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "a_failing_case::case_2", "--test-threads=1"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("case 2 fails"), "{text}");
    let frames: Vec<&str> = text
        .lines()
        .map(str::trim_start)
        .filter(|line| line.split_once(": ").is_some_and(|(n, _)| n.parse::<u32>().is_ok()))
        .collect();
    let user = frames.iter().position(|frame| frame.contains("rstest_shapes::a_failing_case::a_failing_case"));
    let Some(user) = user else { panic!("the test's frame is missing:\n{text}") };
    // Below the test's function: its body shim, the call through the body's pointer and the
    // closure that catches it (rstest: the case function, its closure and two `call_once`);
    // not the run, its case entry or the harness.
    let below = &frames[user + 1..];
    assert!(below.len() <= 3, "{} frames below the test:\n{text}", below.len());
    assert!(!below.iter().any(|frame| frame.contains("run_case") || frame.ends_with("core::run::run")), "{text}");
}

/// A `pub` template is the crate's, as rstest_reuse's are.
#[template]
#[testrig::test]
#[case(7)]
pub fn a_public_template(#[case] n: u32) {}

#[apply(a_public_template)]
fn applies_a_public_template(n: u32) {
    assert_eq!(n, 7);
}
