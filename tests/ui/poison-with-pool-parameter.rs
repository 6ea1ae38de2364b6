#[testrig::test]
#[testrig::poison_db]
async fn poisoned_but_takes_a_pool(_pool: &sqlx::SqlitePool) {}

fn main() {}
