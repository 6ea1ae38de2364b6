//! `#[poison_db]`: a test that does not claim the database fails on its first use of it.

use crate::core::fixture::{Claims, Refusal};
use crate::core::scope::Scope;
use crate::core::test::Held;

/// The mark `#[poison_db]` (or the default stack) leaves in a test's scope: what poisoned it.
pub(crate) struct Poisoned(&'static str);

/// The mark a test whose plan has a database fixture carries: it claims the database.
pub(crate) struct Claimed;

impl crate::core::scope::ScopeHook for Claimed {}

impl Claimed {
    /// The scope hook of every database fixture.
    pub(crate) fn hook() -> std::sync::Arc<dyn crate::core::scope::ScopeHook> {
        std::sync::Arc::new(Claimed)
    }
}

/// Panics if the current test is poisoned: it said it does not use the database.
pub(crate) fn check(what: &str) {
    let poisoned = Scope::with_current(|scope| {
        let scope = scope?;
        scope.get_extension::<Poisoned>().map(|poisoned| (scope.test_name(), poisoned.0))
    });
    if let Some((test, by)) = poisoned {
        panic!(
            "test `{test}` does not claim the database ({by}) but used `{what}`; \
             claim it with a database parameter (`pool: &SqlitePool`, `db: &testrig::db::Database`) or \
             `#[with_cells(cell1, ..)]`, or keep the test free of database access"
        );
    }
}

/// What the database fixtures claim for their test (`#[fixture(claims = ..)]`).
#[doc(hidden)]
pub const DATABASE: Claims = Claims(1);

/// `#[poison_db]`'s promise: no fixture of the test claims the database.
#[doc(hidden)]
pub const POISON_DB: Refusal = Refusal { refused: DATABASE, attribute: "#[poison_db]", resource: "the database" };

/// `#[poison_db]` once the test's scope is entered: the scope is poisoned; nothing to hold.
#[doc(hidden)]
pub fn poison_current_scope() -> Held {
    if let Some(scope) = Scope::current() {
        scope.extension(|| Poisoned("`#[poison_db]`"));
    }
    None
}

/// Poisons the current test unless its fixtures include `Cells`: what
/// [`default_stack!`](crate::default_stack) does for every test.
#[doc(hidden)]
pub fn poison_unless_claimed() {
    if let Some(scope) = Scope::current() {
        if scope.hook::<Claimed>().is_none() {
            scope.extension(|| Poisoned("the default stack poisons the database of tests without a database fixture"));
        }
    }
}
