//! A run fixture that two test binaries include (shared_a.rs, shared_b.rs), as a
//! `tests/common/mod.rs` is: one instance per run for both.

use serde::{Deserialize, Serialize};
use testrig::prelude::*;

mod ledger;

pub use ledger::ledger;

#[derive(Serialize, Deserialize)]
pub struct Common {
    pub token: String,
}

#[fixture(scope = run)]
impl Common {
    fn setup() -> std::io::Result<Self> {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let token = format!("{}-{}", std::process::id(), since.as_nanos());
        ledger(format!("setup Common {} {token}", std::process::id()));
        Ok(Common { token })
    }

    fn teardown(self) -> std::io::Result<()> {
        ledger(format!("teardown Common {} {}", std::process::id(), self.token));
        Ok(())
    }
}

/// Requires each including binary's own `Local` (`crate::Local`, a run fixture of that
/// binary's file): the same code on another fixture, so an instance per binary.
#[derive(Serialize, Deserialize)]
pub struct OnLocal {
    pub local: String,
}

#[fixture(scope = run)]
impl OnLocal {
    fn setup(local: &crate::Local) -> std::io::Result<Self> {
        ledger(format!("setup OnLocal {} {}", std::process::id(), local.token));
        Ok(OnLocal { local: local.token.clone() })
    }
}
