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

/// This binary's own run fixture, which tests/common's `OnLocal` requires.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Local {
    pub token: String,
}

#[testrig::fixture(scope = run)]
impl Local {
    fn setup() -> std::io::Result<Self> {
        Ok(Local { token: format!("b-{}", std::process::id()) })
    }
}

#[testrig::test]
fn on_its_own_local(on_local: &common::OnLocal, local: &Local) {
    assert_eq!(on_local.local, local.token, "tests/common's fixture is on this binary's Local");
    assert!(local.token.starts_with("b-"), "{}", local.token);
}
