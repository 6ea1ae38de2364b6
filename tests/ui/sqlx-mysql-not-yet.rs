// `#[sqlx::test]` takes MySQL's pool; testrig's database fixtures do not yet.
#[testrig::database]
async fn on_mysql(pool: sqlx::MySqlPool) {
    let _ = pool;
}

fn main() {}
