//! `testrig::default_stack!()` at a test crate's root: logs captured, database poisoned unless
//! claimed, leak guard — for every fixture test of the crate.

mod support;
use support::panic_text;

use std::panic::catch_unwind;

use testrig::db::{self, Cells};
use testrig::logs::Logs;

testrig::default_stack!();

testrig::db::schema!(static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

#[testrig::test]
fn a_test_without_cells_is_poisoned_and_captured(logs: &Logs) {
    tracing::info!("captured by the default stack");
    assert!(logs.contains("captured by the default stack"));
    let message = panic_text(catch_unwind(|| db::api().map(drop)).unwrap_err());
    assert!(
        message.contains("the default stack poisons the database of tests without a database fixture"),
        "{message}"
    );
}

#[testrig::test]
#[with_cells(cell1)]
async fn a_test_with_cells_uses_its_databases(cells: &Cells) {
    let api = db::api().unwrap();
    let row: (i64,) = testrig::db::sqlx::query_as("SELECT COUNT(*) FROM host_mappings").fetch_one(&api).await.unwrap();
    assert_eq!(row.0, 0);
    assert_eq!(cells.names(), ["cell0", "cell1"]);
}

#[testrig::test(no_autouse)]
fn no_autouse_leaves_the_database_unpoisoned() {
    // Not poisoned: the seam answers with an error (no databases here), it does not panic.
    assert!(catch_unwind(|| db::api().map(drop)).is_ok());
}
