//! The `insta` feature: each case of a parametrized test gets insta's snapshot suffix of its
//! case name on every thread of the test (its own, its runtime's workers, the threads it
//! starts), so cases never write or compare each other's snapshots.

use std::any::Any;
use std::sync::Arc;

use crate::core::scope::ScopeHook;

/// The hook of a case named `case` (see `CASE_HOOKS` in lib.rs).
pub(crate) fn for_case(case: &'static str) -> Arc<dyn ScopeHook> {
    // A nested case (`case_1::x_1_1`) as a file name.
    Arc::new(SnapshotSuffix(case.replace("::", "__")))
}

/// The scope hook that binds the suffix on each thread entering the test's scope.
pub(crate) struct SnapshotSuffix(pub(crate) String);

impl ScopeHook for SnapshotSuffix {
    fn enter(&self) -> Option<Box<dyn Any>> {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(&self.0);
        Some(Box::new(settings.bind_to_scope()))
    }
}
