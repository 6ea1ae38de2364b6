#[testrig::test]
#[database(migration = "migrations")]
async fn typo(_pool: &sqlx::SqlitePool) {}

#[testrig::test]
#[database(migrations = true)]
async fn true_is_the_default(_pool: &sqlx::SqlitePool) {}

#[testrig::test]
#[database(fixtures())]
async fn no_seed(_pool: &sqlx::SqlitePool) {}

#[testrig::test]
#[database(fixtures(users))]
async fn seed_not_a_string(_pool: &sqlx::SqlitePool) {}

fn main() {}
