//! What a test's databases left behind, on either backend: files on SQLite, databases on the
//! PostgreSQL server named by `FIXTURE_DATABASE_URL`.

use fixture::db::sqlx::{self, Connection};

/// The PostgreSQL server the tests run against, if any.
pub fn server_url() -> Option<String> {
    std::env::var("FIXTURE_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// Runs `statements` on the server's admin database, then returns the names of the databases
/// among `names` that exist.
pub fn on_server(url: &str, statements: Vec<String>, names: &[String]) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut admin = sqlx::postgres::PgConnection::connect(url).await.unwrap();
        for statement in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|error| panic!("admin statement failed: {error}"));
        }
        let rows: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname = ANY($1)")
            .bind(names)
            .fetch_all(&mut admin)
            .await
            .unwrap();
        rows.into_iter().map(|(name,)| name).collect()
    })
}

/// Which of a test's database locations (`Cells::locations`) still exist.
pub fn existing(locations: &[String]) -> Vec<String> {
    match server_url() {
        Some(url) => on_server(&url, Vec::new(), locations),
        None => locations.iter().filter(|file| std::path::Path::new(file).exists()).cloned().collect(),
    }
}

/// Removes databases a failed test kept for inspection.
pub fn remove(locations: &[String]) {
    match server_url() {
        Some(url) => {
            let drops =
                locations.iter().map(|name| format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).collect();
            let left = on_server(&url, drops, locations);
            assert!(left.is_empty(), "cannot drop {left:?}");
        }
        None => locations.iter().for_each(|file| drop(std::fs::remove_file(file))),
    }
}
