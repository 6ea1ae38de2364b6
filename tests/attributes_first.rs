//! Our attributes written without `#[testrig::test]` above them: `#[case]` and `#[env]`
//! (both from the prelude) make the function a fixture test themselves, and `env!` still is
//! std's macro beside the prelude's `env` attribute.

use testrig::prelude::*;

pub struct Offset(u32);

#[fixture]
impl Offset {
    fn setup() -> Self {
        Offset(1)
    }
}

#[case(1, 2)]
#[case::ten(10, 11)]
fn case_first(n: u32, expected: u32, offset: &Offset) {
    assert_eq!(n + offset.0, expected);
}

/// With `#[testrig::test(..)]` below the first row: its options apply, no second test.
#[case(1)]
#[testrig::test(no_autouse)]
#[case(2)]
fn case_then_test_attribute(n: u32) {
    assert!(n > 0);
}

#[env(TESTRIG_ATTRIBUTES_FIRST = "set")]
fn env_first() {
    assert_eq!(std::env::var("TESTRIG_ATTRIBUTES_FIRST").unwrap(), "set");
    // std's `env!` beside the prelude's `env` attribute.
    assert!(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml").is_file());
}

#[test]
fn they_are_fixture_tests() {
    case_first::case_1();
    case_first::case_2_ten();
    case_then_test_attribute::case_1();
    case_then_test_attribute::case_2();
    env_first();
}
