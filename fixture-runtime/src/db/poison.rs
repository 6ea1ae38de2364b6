//! `#[poison_db]`: a test that does not claim the database fails on its first use of it.

use crate::scope::Scope;

/// The mark `#[poison_db]` leaves in a test's scope.
pub(crate) struct Poisoned;

/// Panics if the current test is poisoned: it said it does not use the database.
pub(crate) fn check(what: &str) {
    let poisoned = Scope::with_current(|scope| {
        let scope = scope?;
        scope.get_extension::<Poisoned>().map(|_| scope.test_name())
    });
    if let Some(test) = poisoned {
        panic!(
            "test `{test}` does not claim the database (`#[poison_db]`) but used `{what}`; \
             claim it with `#[with_cells(cell1, ..)]` (and remove `#[poison_db]`) or keep the test free of database access"
        );
    }
}

#[doc(hidden)]
pub fn poison_current_scope() {
    if let Some(scope) = Scope::current() {
        scope.extension(|| Poisoned);
    }
}
