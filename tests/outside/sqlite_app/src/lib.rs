//! A small user store, written as sqlx apps are: production code takes its pool.

use sqlx::SqlitePool;

/// A user's id: a `u32` newtype, which breaks an app's build when a dependency switches on
/// sqlx's `postgres` feature behind its back (`u32: PgHasArrayType` is not implemented).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct UserId(pub u32);

/// A row of `users`.
#[derive(Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
}

/// Every user, by id: checked against the schema at build time (offline data in .sqlx/).
pub async fn users(pool: &SqlitePool) -> sqlx::Result<Vec<User>> {
    sqlx::query_as!(User, r#"SELECT id AS "id: UserId", name FROM users ORDER BY id"#).fetch_all(pool).await
}

/// Adds a user, returning its new id.
pub async fn add_user(pool: &SqlitePool, name: &str) -> sqlx::Result<UserId> {
    let id: u32 = sqlx::query_scalar("INSERT INTO users (name) VALUES (?) RETURNING id").bind(name).fetch_one(pool).await?;
    Ok(UserId(id))
}
