//! Includes tests/common as its own module, as shared_b.rs does.

mod common;

#[testrig::test]
fn first(common: &common::Common) {
    common::ledger(format!("test shared_a {} {}", std::process::id(), common.token));
}

#[testrig::test]
fn second(common: &common::Common) {
    common::ledger(format!("test shared_a {} {}", std::process::id(), common.token));
}
