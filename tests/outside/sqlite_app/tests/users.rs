//! The app's tests as they were written for `#[sqlx::test]`, the attribute's name the only
//! change: `#[sqlx::test(fixtures("users"))]` → `#[testrig::database(fixtures("users"))]`.

use sqlite_app::{add_user, users, User, UserId};
use sqlx::SqlitePool;

#[testrig::database(fixtures("users"))]
async fn lists_the_seeded_users(pool: SqlitePool) {
    let all = users(&pool).await.unwrap();
    assert_eq!(all, [User { id: UserId(1), name: "alice".into() }, User { id: UserId(2), name: "bob".into() }]);
}

#[testrig::database(fixtures("users"))]
async fn adds_after_the_seeds(pool: SqlitePool) {
    assert_eq!(add_user(&pool, "carol").await.unwrap(), UserId(3));
    assert_eq!(users(&pool).await.unwrap().len(), 3);
}

/// No arguments: `migrations/` of this crate, no seeds.
#[testrig::database]
async fn migrated_without_seeds(pool: SqlitePool) {
    assert_eq!(users(&pool).await.unwrap(), []);
}
