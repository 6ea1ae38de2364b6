// `#[sqlx::test(..)]`'s database options written on `#[testrig::test(..)]`.
#[testrig::test(fixtures("users"))]
async fn seeded() {}

#[testrig::test(migrations = "migrations")]
async fn migrated() {}

#[testrig::test(migrator = "crate::MIGRATOR")]
async fn with_a_migrator() {}

fn main() {}
