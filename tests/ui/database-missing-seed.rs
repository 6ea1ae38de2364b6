#[testrig::test]
#[database(migrations = false, fixtures("users", "no_such_seed"))]
async fn seeded(_pool: &sqlx::SqlitePool) {}

fn main() {}
