//! Fixtures of any type (a `#[fixture] fn` of a type of another crate names the wrapper it
//! generates), `&mut T` when the test is the only user of `T`, `T` by value for
//! `#[fixture(by_value)]` (teardown skipped), and crate-wide autouse from a `common` module.
//!
//! The lints below would flag `&Port` and a `&mut` the body does not use; the expansion allows
//! them under clippy (CI's clippy denies warnings), since a test names its fixtures that way.
#![warn(clippy::trivially_copy_pass_by_ref, clippy::needless_pass_by_ref_mut)]

use std::path::PathBuf;

use testrig::prelude::*;

mod common_crate_wide;
use common_crate_wide::audited;

/// A small `Copy` fixture, taken by reference as every fixture is.
#[derive(Clone, Copy)]
pub struct Port(u16);

#[fixture]
impl Port {
    fn setup() -> Self {
        Port(8080)
    }
}

#[testrig::test]
fn a_copy_fixture_by_reference(port: &Port) {
    assert_eq!(port.0, 8080);
}

#[testrig::test]
fn a_mut_fixture_the_body_only_reads(port: &mut Port) {
    assert_eq!(port.0, 8080);
}

/// `PathBuf` is std's: no `impl Fixture for PathBuf` could be written here.
#[fixture]
fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join("testrig-access-scratch")
}

/// Fallible, depending on another function fixture by its wrapper.
#[fixture]
fn config_text(dir: &ScratchDir) -> Result<String, std::io::Error> {
    Ok(format!("dir = {}", dir.display()))
}

#[testrig::test]
fn a_function_fixture_of_a_foreign_type_is_named_by_its_wrapper(dir: &ScratchDir, text: &ConfigText) {
    // Deref: the wrapper is the `PathBuf` to the test.
    assert!(dir.ends_with("testrig-access-scratch"));
    assert_eq!(text.as_str(), format!("dir = {}", dir.display()));
}

#[testrig::test]
fn a_function_fixture_taken_mutably_changes_only_this_test(dir: &mut ScratchDir) {
    dir.push("child");
    assert!(dir.ends_with("testrig-access-scratch/child"));
}

#[cfg(feature = "async")]
#[fixture]
async fn greeting_words() -> Vec<&'static str> {
    vec!["hello"]
}

#[cfg(feature = "async")]
#[testrig::test]
async fn async_function_fixtures_of_foreign_types(words: &mut GreetingWords) {
    words.push("world");
    assert_eq!(words.join(" "), "hello world");
}

thread_local! {
    // Per thread: the harness runs the tests that bump these on threads of their own while a
    // test here calls one on its thread and counts; a shared counter raced (6 in 300 runs).
    static COUNTER_TEARDOWNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static CONNECTION_TEARDOWNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One more teardown counted on this thread.
fn count(counter: &'static std::thread::LocalKey<std::cell::Cell<usize>>) {
    counter.with(|count| count.set(count.get() + 1));
}

pub struct Counter {
    value: u32,
}

#[fixture]
impl Counter {
    fn setup() -> Self {
        Counter { value: 1 }
    }
    fn teardown(self) {
        assert_eq!(self.value, 2, "teardown sees what the test changed through `&mut`");
        count(&COUNTER_TEARDOWNS);
    }
}

#[testrig::test]
fn a_test_that_is_the_only_user_gets_mut(counter: &mut Counter) {
    counter.value += 1;
}

pub struct Connection {
    open: bool,
}

#[fixture(by_value)]
impl Connection {
    fn setup() -> Self {
        Connection { open: true }
    }
    fn teardown(self) {
        count(&CONNECTION_TEARDOWNS);
    }
}

impl Connection {
    fn close(mut self) -> bool {
        self.open = false;
        !self.open
    }
}

#[testrig::test]
fn a_by_value_fixture_is_moved_to_the_test(conn: Connection) {
    assert!(conn.close());
}

#[testrig::test]
fn its_teardown_is_skipped_then() {
    // Run the by-value test in this process, then count: its teardown never ran.
    let before = CONNECTION_TEARDOWNS.get();
    a_by_value_fixture_is_moved_to_the_test();
    assert_eq!(CONNECTION_TEARDOWNS.get(), before);
}

#[testrig::test]
fn taken_by_reference_it_is_torn_down(_conn: &Connection) {}

#[testrig::test]
fn by_reference_teardown_runs() {
    let before = CONNECTION_TEARDOWNS.get();
    taken_by_reference_it_is_torn_down();
    assert_eq!(CONNECTION_TEARDOWNS.get(), before + 1);
}

#[testrig::test]
fn mut_changes_reach_the_teardown() {
    let before = COUNTER_TEARDOWNS.get();
    a_test_that_is_the_only_user_gets_mut();
    assert_eq!(COUNTER_TEARDOWNS.get(), before + 1);
}

#[testrig::test]
fn crate_wide_autouse_from_a_common_module_applies_here() {
    assert_eq!(audited("access::crate_wide_autouse_from_a_common_module_applies_here"), 1);
}

mod nested {
    use super::*;

    #[testrig::test]
    fn and_in_any_module_of_the_crate() {
        assert_eq!(audited("access::nested::and_in_any_module_of_the_crate"), 1);
    }

    #[testrig::test(no_autouse)]
    fn unless_the_test_opts_out() {
        assert_eq!(audited("unless_the_test_opts_out"), 0);
    }
}

#[test]
fn a_plain_test_is_not_a_fixture_test() {
    // `#[test]`: no scope, no autouse.
    assert_eq!(audited("a_plain_test_is_not_a_fixture_test"), 0);
}

pub struct Crate(u32);

#[derive(Default)]
pub struct SizeConfig(u32);

#[fixture]
impl Crate {
    fn setup(#[options] size: &SizeConfig) -> Self {
        Crate(size.0)
    }
}

/// Configuring the fixture the test takes `&mut` is no second user of it.
#[testrig::test]
#[with(Crate = SizeConfig(3))]
fn mut_with_its_own_configuration(sized: &mut Crate) {
    sized.0 += 1;
    assert_eq!(sized.0, 4);
}

mod with_an_autouse_user {
    use super::*;

    pub struct Ledger;

    #[fixture]
    impl Ledger {
        fn setup() -> Self {
            Ledger
        }
    }

    pub struct Auditor;

    /// Requires `Ledger`, which a test below takes `&mut`.
    #[fixture(autouse)]
    impl Auditor {
        fn setup(_ledger: &Ledger) -> Self {
            Auditor
        }
    }

    #[testrig::test]
    #[should_panic(expected = "the autouse fixture `Auditor` requires it")]
    fn an_autouse_fixture_requiring_it_fails_the_test(_ledger: &mut Ledger) {}

    #[testrig::test(no_autouse)]
    fn unless_the_test_opts_out(_ledger: &mut Ledger) {}
}
