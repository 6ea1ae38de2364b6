//! Another fixture at the same path in its crate as tests/common's (`common::Common`), with
//! other code (shared_c.rs): an instance of its own, never the other's.

use serde::{Deserialize, Serialize};
use testrig::prelude::*;

#[path = "../common/ledger.rs"]
mod ledger;

pub use ledger::ledger;

#[derive(Serialize, Deserialize)]
pub struct Common {
    pub token: String,
}

#[fixture(scope = run)]
impl Common {
    fn setup() -> std::io::Result<Self> {
        let token = format!("other-{}", std::process::id());
        ledger(format!("setup OtherCommon {} {token}", std::process::id()));
        Ok(Common { token })
    }

    fn teardown(self) -> std::io::Result<()> {
        ledger(format!("teardown OtherCommon {} {}", std::process::id(), self.token));
        Ok(())
    }
}
