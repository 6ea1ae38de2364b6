//! A `common::Common` of other code than shared_a.rs' and shared_b.rs'.

#[path = "other_common/mod.rs"]
mod common;

#[testrig::test]
fn first(common: &common::Common) {
    common::ledger(format!("test shared_c {} {}", std::process::id(), common.token));
}
