// `#[sqlx::test(..)]`'s database options written on `#[testrig::test(..)]`.
#[testrig::test(fixtures("users"))]
async fn seeded() {}

#[testrig::test(migrations = "migrations")]
async fn migrated() {}

#[testrig::test(migrator = "crate::MIGRATOR")]
async fn with_a_migrator() {}

// And in `#[database(..)]`, where a `Migrator` static is not taken yet.
#[testrig::test]
#[database(migrator = "crate::MIGRATOR")]
async fn database_with_a_migrator() {}

fn main() {}
