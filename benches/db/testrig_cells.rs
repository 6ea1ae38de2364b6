//! 30 tests, each getting a fresh migrated API database + cell0 + 2 cells (20 migrations in
//! all) from `#[with_cells]`. Timed against `sqlx_test.rs` by `benches/compare_db.sh`; ignored
//! in ordinary runs.

use testrig::db::{sqlx, Cells};

testrig::db::schema!(pub static SCHEMA, api = "db/migrations/api", cells = "db/migrations/cell");

macro_rules! tests {
    ($($name:ident,)*) => {$(
        #[testrig::test]
        #[with_cells(cell1, cell2)]
        #[ignore = "benchmark: run by benches/compare_db.sh"]
        async fn $name(cells: &Cells) {
            // One query per database, as the sqlx::test side makes one on its database.
            let databases = std::iter::once(("api_table_1", cells.api()))
                .chain(cells.names().into_iter().map(|cell| ("cell_table_1", cells.cell(cell))));
            for (table, pool) in databases {
                let sql = format!("SELECT COUNT(*) FROM {table}");
                let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap();
                assert_eq!(row.0, 0);
            }
        }
    )*};
}

include!("thirty.rs");
