// sqlx's `scripts(..)` names files of the `path` written before it.
#[testrig::database(fixtures(scripts("users")))]
async fn seeded(pool: sqlx::SqlitePool) {
    let _ = pool;
}

// `migrator` takes the static's path in a string, as `#[sqlx::test]` does.
#[testrig::database(migrator = MIGRATOR)]
async fn migrated(pool: sqlx::SqlitePool) {
    let _ = pool;
}

fn main() {}
