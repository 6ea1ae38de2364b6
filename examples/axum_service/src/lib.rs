//! A todo list over HTTP: `GET /todos`, `POST /todos` (`{"title": ..}`), `POST /todos/{id}/done`.
//! Production code takes its pool; it never depends on testrig.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

/// A row of `todos`.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Todo {
    pub id: i64,
    pub title: String,
    pub done: bool,
}

/// The body of `POST /todos`.
#[derive(Debug, Deserialize)]
pub struct NewTodo {
    pub title: String,
}

/// The service's routes on `pool`.
pub fn app(pool: SqlitePool) -> Router {
    Router::new().route("/todos", get(list).post(add)).route("/todos/{id}/done", post(finish)).with_state(pool)
}

async fn list(State(pool): State<SqlitePool>) -> Result<Json<Vec<Todo>>, StatusCode> {
    let todos = sqlx::query_as("SELECT id, title, done FROM todos ORDER BY id").fetch_all(&pool).await;
    todos.map(Json).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

async fn add(State(pool): State<SqlitePool>, Json(new): Json<NewTodo>) -> Result<(StatusCode, Json<Todo>), StatusCode> {
    if new.title.trim().is_empty() {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let todo = sqlx::query_as("INSERT INTO todos (title) VALUES (?) RETURNING id, title, done")
        .bind(new.title)
        .fetch_one(&pool)
        .await;
    todo.map(|todo| (StatusCode::CREATED, Json(todo))).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

async fn finish(State(pool): State<SqlitePool>, Path(id): Path<i64>) -> StatusCode {
    match sqlx::query("UPDATE todos SET done = TRUE WHERE id = ?").bind(id).execute(&pool).await {
        Ok(done) if done.rows_affected() == 1 => StatusCode::NO_CONTENT,
        Ok(_) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
