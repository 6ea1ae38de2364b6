//! The same 30 tests with `#[sqlx::test]`: one fresh database per test with the same 20
//! migrations. SQLite by default; PostgreSQL (`DATABASE_URL`) for the `pg_` tests.

macro_rules! tests {
    ($($name:ident,)*) => {
        mod sqlite {$(
            #[sqlx::test(migrations = "db/migrations/all")]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::SqlitePool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 0);
            }
        )*}
        mod sqlite_seeded {$(
            #[sqlx::test(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::SqlitePool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
        mod postgres_seeded {$(
            #[sqlx::test(migrations = "db/migrations/all", fixtures("users", "instances"))]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::PgPool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 50);
            }
        )*}
        mod postgres {$(
            #[sqlx::test(migrations = "db/migrations/all")]
            #[ignore = "benchmark: run by benches/compare_db.sh"]
            async fn $name(pool: sqlx::PgPool) {
                let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cell_table_1").fetch_one(&pool).await.unwrap();
                assert_eq!(row.0, 0);
            }
        )*}
    };
}

include!("thirty.rs");
