#[testrig::test]
#[database(migrations = "db/no_such_dir")]
async fn migrated(_pool: &sqlx::SqlitePool) {}

fn main() {}
