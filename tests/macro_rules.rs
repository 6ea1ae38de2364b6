//! Tests and fixtures written by `macro_rules!`, the way suites generate families of them:
//! the generated code resolves its own locals whatever hygiene the user's tokens carry, and a
//! parameter type passed as a `$t:ty` fragment is still a reference.

use testrig::prelude::*;
use testrig::Conf;

#[derive(Clone, Default)]
pub struct Settings {
    pub retries: u32,
}

pub static CONF: Conf<Settings> = Conf::new();

macro_rules! fixture_of {
    ($name:ident, $dep:ty, $value:expr) => {
        pub struct $name(pub u32);

        #[fixture]
        impl $name {
            fn setup(dep: &$dep) -> Self {
                $name(dep.0 + $value)
            }
        }
    };
}

pub struct Base(pub u32);

#[fixture]
impl Base {
    fn setup() -> Self {
        Base(1)
    }
}

fixture_of!(Plus10, Base, 10);
fixture_of!(Plus100, Plus10, 100);

macro_rules! test_of {
    ($name:ident, $param:ident: $ty:ty, $expected:expr) => {
        #[testrig::test]
        #[conf(retries = 3)]
        fn $name($param: $ty) {
            assert_eq!($param.0, $expected);
            assert_eq!(CONF.get().retries, 3);
        }
    };
}

test_of!(a_fixture_from_a_macro, value: &Plus10, 11);
test_of!(a_chain_from_macros, value: &Plus100, 111);

/// A row parameter before a `#[values]` parameter: each combination its own test.
#[testrig::test]
#[case(1)]
#[case(2)]
fn rows_before_values(row: u32, #[values(10, 20)] k: u32, base: &Base) {
    assert!(row * k + base.0 > 10);
}

#[test]
fn rows_before_values_make_four_cases() {
    rows_before_values::case_1::k_1_10();
    rows_before_values::case_1::k_2_20();
    rows_before_values::case_2::k_1_10();
    rows_before_values::case_2::k_2_20();
}

/// The type's tokens come from the macro's caller, the attribute from its body: two hygiene
/// contexts in one test.
macro_rules! test_taking {
    ($name:ident, $fixture:ident) => {
        #[testrig::test]
        fn $name(value: &$fixture) {
            assert!(value.0 > 0);
        }

        #[fixture]
        impl Wrapper {
            fn setup(inner: &$fixture) -> Self {
                Wrapper(inner.0)
            }
        }
    };
}

pub struct Wrapper(pub u32);

test_taking!(an_ident_fragment_type, Plus10);

#[testrig::test]
fn the_wrapper_from_the_macro(wrapper: &Wrapper) {
    assert_eq!(wrapper.0, 11);
}

/// Parameters under `#[cfg]`: rustc removes the false ones before our call is compiled.
/// In an integration test `cfg(test)` is true, `cfg(not(test))` false.
#[testrig::test]
fn cfg_parameters(base: &Base, #[cfg(not(test))] never: &Plus10, #[cfg(test)] always: &Plus100) {
    assert_eq!(base.0 + always.0, 112);
}

/// The fixtures a test's plan holds follow the parameters that are compiled.
#[testrig::test]
fn a_cfg_removed_parameter_brings_no_fixture(#[cfg(not(test))] never: &Counted, base: &Base) {
    assert_eq!(base.0, 1);
    assert_eq!(COUNTED.load(std::sync::atomic::Ordering::SeqCst), 0, "Counted was never set up");
}

static COUNTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub struct Counted;

#[fixture]
impl Counted {
    fn setup() -> Self {
        COUNTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Counted
    }
}

pub struct CfgSetup(pub u32);

#[fixture]
impl CfgSetup {
    fn setup(#[cfg(not(test))] never: &Plus10, #[cfg(test)] always: &Base) -> Self {
        CfgSetup(always.0 + 1)
    }
}

macro_rules! cfg_test_of {
    ($name:ident, $ty:ty) => {
        #[testrig::test]
        #[case(2)]
        fn $name(n: u32, #[cfg(not(test))] _never: &Plus10, value: $ty) {
            assert_eq!(value.0, n);
        }
    };
}

cfg_test_of!(cfg_parameters_in_a_macro_with_rows, &CfgSetup);

/// Rows written with the full path, a tuple pattern and a raw identifier: case names stay
/// identifiers (`arg2_1__1_2_`, `type_1_7`).
#[testrig::test]
#[testrig::case(1)]
#[testrig::case(2)]
fn full_path_rows(n: u32, #[values((1, 2))] (a, b): (u32, u32), #[values(7)] r#type: u32) {
    assert!(n > 0 && a < b && r#type == 7);
}

#[test]
fn unusual_parameters_name_their_cases() {
    full_path_rows::case_1::arg2_1__1_2_::type_1_7();
    full_path_rows::case_2::arg2_1__1_2_::type_1_7();
}

/// Several `#[cfg]` on one parameter: all must hold.
#[testrig::test]
fn several_cfgs_on_a_parameter(
    #[cfg(test)]
    #[cfg(not(test))]
    never: &Plus10,
    base: &Base,
) {
    assert_eq!(base.0, 1);
}

/// The body as a `$body:block` fragment: it reaches the attribute wrapped in an invisible
/// group, which the fast path that keeps a body as tokens does not take, so syn reads it.
macro_rules! test_with_body {
    ($name:ident($param:ident) $body:block) => {
        #[testrig::test]
        fn $name($param: &Base) $body
    };
    ($name:ident($n:ident, $param:ident) rows $(($row:expr))* $body:block) => {
        #[testrig::test]
        $(#[case($row)])*
        fn $name($n: u32, $param: &Base) $body
    };
}

test_with_body!(a_body_passed_as_a_block_fragment(base) {
    assert_eq!(base.0, 1);
});

test_with_body!(cases_with_a_block_fragment_body(n, base) rows (2) (3) {
    assert!(n > base.0);
});

#[test]
fn block_fragment_cases_are_generated() {
    cases_with_a_block_fragment_body::case_1();
    cases_with_a_block_fragment_body::case_2();
}

// rstest's shapes from a macro: a fixture function and tests taking it by name, with and
// without rows, its names and types all the macro's fragments.
macro_rules! by_name_family {
    ($fixture:ident, $dep:ident, $ty:ty, $value:expr, $test:ident, $cases:ident) => {
        #[fixture]
        fn $fixture($dep: $ty) -> $ty {
            $dep + $value
        }

        #[testrig::test]
        fn $test($fixture: $ty, #[from($dep)] plain: $ty) {
            assert_eq!($fixture, plain + $value);
        }

        #[testrig::test]
        #[case(1)]
        #[case(2)]
        fn $cases(#[case] n: $ty, $fixture: $ty) {
            assert!($fixture > n);
        }
    };
}

#[fixture]
fn seven() -> u32 {
    7
}

by_name_family!(seventeen, seven, u32, 10, by_name_from_a_macro, by_name_rows_from_a_macro);

#[test]
fn by_name_tests_from_a_macro_run() {
    by_name_from_a_macro();
    by_name_rows_from_a_macro::case_1();
    by_name_rows_from_a_macro::case_2();
}
