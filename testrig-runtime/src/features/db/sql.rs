//! What differs between the two sqlx versions this crate builds with, for SQL text it builds
//! itself (quoted names, the reset's statements): sqlx 0.9 asks for such text to be asserted
//! safe (`AssertSqlSafe`, owned), sqlx 0.8 borrows a `&str`.

/// `sql` as text this crate vouches for: built from quoted identifiers and literals only.
#[cfg(feature = "sqlx-0_9")]
pub(crate) fn trusted(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_owned())
}

/// `sql` as text this crate vouches for: built from quoted identifiers and literals only.
#[cfg(not(feature = "sqlx-0_9"))]
pub(crate) fn trusted(sql: &str) -> &str {
    sql
}

/// Runs `sql` (several statements allowed) on `connection`.
///
/// Through the executor's own boxed `execute`, not `RawSql::execute`: that one is an `async
/// fn` generic over the executor, and in sqlx 0.8 a setup future awaiting it on a borrowed
/// connection cannot be proven `Send` ("implementation of `Executor` is not general enough",
/// launchbadge/sqlx#3150).
#[cfg(feature = "postgres")]
pub(crate) async fn run_on(connection: &mut sqlx::postgres::PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::Executor::execute(connection, sqlx::raw_sql(trusted(sql))).await.map(drop)
}
