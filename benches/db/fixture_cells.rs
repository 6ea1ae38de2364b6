//! 30 tests, each getting a fresh migrated API database + cell0 + 2 cells (20 migrations in
//! all) from `#[with_cells]`. Timed against `sqlx_test.rs` by `benches/compare_db.sh`; ignored
//! in ordinary runs.

use fixture::db::Cells;

fixture::db::schema!(pub static SCHEMA, api = "benches/db/migrations/api", cells = "benches/db/migrations/cell");

macro_rules! tests {
    ($($name:ident,)*) => {$(
        #[fixture::test]
        #[with_cells(cell1, cell2)]
        #[ignore = "benchmark: run by benches/compare_db.sh"]
        async fn $name(cells: &Cells) {
            assert_eq!(cells.names().len(), 3);
        }
    )*};
}

include!("thirty.rs");
