//! A small note store on sqlx 0.8, written as sqlx apps are: production code takes its pool.

use sqlx::{PgPool, SqlitePool};

/// Every note's text, oldest first.
pub async fn notes(pool: &SqlitePool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT body FROM notes ORDER BY id").fetch_all(pool).await
}

/// Adds a note, returning its id.
pub async fn add_note(pool: &SqlitePool, body: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO notes (body) VALUES (?) RETURNING id").bind(body).fetch_one(pool).await
}

/// The same store on PostgreSQL.
pub async fn pg_notes(pool: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT body FROM notes ORDER BY id").fetch_all(pool).await
}
