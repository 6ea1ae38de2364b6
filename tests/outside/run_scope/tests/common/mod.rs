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

/// What each binary including this module holds, written once here and expanded in the
/// binary's own file: its tests of `Common`, and its own run fixture `Local` (which `OnLocal`
/// requires). A `macro_rules!` caller's fixture is written where the macro is called, so each
/// binary's `Local` is its own, though its tokens and path are the same in both.
macro_rules! a_binary_sharing_common {
    () => {
        #[testrig::test]
        fn first(common: &crate::common::Common) {
            crate::common::ledger(format!("test {} {} {}", env!("CARGO_CRATE_NAME"), std::process::id(), common.token));
        }

        #[testrig::test]
        fn second(common: &crate::common::Common) {
            crate::common::ledger(format!("test {} {} {}", env!("CARGO_CRATE_NAME"), std::process::id(), common.token));
        }

        /// This binary's own run fixture, which tests/common's `OnLocal` requires.
        #[derive(serde::Serialize, serde::Deserialize)]
        pub struct Local {
            pub token: String,
        }

        #[testrig::fixture(scope = run)]
        impl Local {
            fn setup() -> std::io::Result<Self> {
                Ok(Local { token: format!("{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()) })
            }
        }

        #[testrig::test]
        fn on_its_own_local(on_local: &crate::common::OnLocal, local: &Local) {
            assert_eq!(on_local.local, local.token, "tests/common's fixture is on this binary's Local");
            assert!(local.token.starts_with(concat!(env!("CARGO_CRATE_NAME"), "-")), "{}", local.token);
        }
    };
}

pub(crate) use a_binary_sharing_common;
