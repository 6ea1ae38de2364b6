#[testrig::test]
#[database(migrations = false)]
#[database(fixtures("users"))]
async fn twice(_pool: &sqlx::SqlitePool) {}

#[testrig::test]
#[database(fixtures("users", "users"))]
async fn seed_twice(_pool: &sqlx::SqlitePool) {}

fn main() {}
