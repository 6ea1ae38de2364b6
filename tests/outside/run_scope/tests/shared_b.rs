//! Includes tests/common as its own module, as shared_a.rs does.

mod common;

#[testrig::test]
fn first(common: &common::Common) {
    common::ledger(format!("test shared_b {} {}", std::process::id(), common.token));
}

#[testrig::test]
fn second(common: &common::Common) {
    common::ledger(format!("test shared_b {} {}", std::process::id(), common.token));
}
