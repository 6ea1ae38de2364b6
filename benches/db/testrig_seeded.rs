//! 30 tests, each getting one fresh database with 20 migrations and two seed files (70 rows)
//! through a typed pool: the drop-in for `#[sqlx::test(fixtures(..))]` in `sqlx_test.rs`.
//! Timed by `benches/compare_db.sh`; ignored in ordinary runs.

macro_rules! tests {
    ($($name:ident,)*) => {
        mod sqlite {$(
            #[testrig::test]
            #[database(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: &sqlx::SqlitePool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
        // sqlx::test's own form, the attribute renamed: the pool by value.
        mod sqlite_by_value {$(
            #[testrig::database(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::SqlitePool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
        mod postgres_by_value {$(
            #[testrig::database(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::PgPool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
        mod postgres {$(
            #[testrig::test]
            #[database(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: &sqlx::PgPool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
    };
}

include!("thirty.rs");
