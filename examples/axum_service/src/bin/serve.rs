//! Serves the todo list: `DATABASE_URL=sqlite:todos.db?mode=rwc cargo run`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:todos.db?mode=rwc".into());
    let pool = sqlx::SqlitePool::connect(&url).await?;
    sqlx::migrate!().run(&pool).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, axum_service::app(pool)).await?;
    Ok(())
}
