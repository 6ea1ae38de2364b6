//! The service's tests, as `#[sqlx::test(fixtures("todos"))] async fn t(pool: SqlitePool)`
//! would be, one parameter changed: `pool: &SqlitePool`. Each test gets its own database,
//! migrated from `migrations/` and seeded from `tests/fixtures/todos.sql`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum_service::{app, Todo};
use http_body_util::BodyExt;
use sqlx::SqlitePool;
use tower::ServiceExt;

/// Sends one request to the service on `pool`: its status and its body as JSON.
async fn send(
    pool: &SqlitePool,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let request = Request::builder().method(method).uri(uri).header("content-type", "application/json");
    let body = body.map_or_else(Body::empty, |json| Body::from(json.to_string()));
    let response = app(pool.clone()).oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[testrig::test]
#[database(fixtures("todos"))]
async fn lists_the_seeded_todos(pool: &SqlitePool) {
    let (status, body) = send(pool, "GET", "/todos", None).await;
    assert_eq!(status, StatusCode::OK);
    let todos: Vec<Todo> = serde_json::from_value(body).unwrap();
    assert_eq!(todos.iter().map(|todo| todo.title.as_str()).collect::<Vec<_>>(), ["write the tests", "ship it"]);
}

#[testrig::test]
#[database(fixtures("todos"))]
async fn adds_a_todo_after_the_seeds(pool: &SqlitePool) {
    let (status, body) = send(pool, "POST", "/todos", Some(serde_json::json!({ "title": "celebrate" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["id"], 3);
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM todos").fetch_one(pool).await.unwrap();
    assert_eq!(count, 3);
}

#[testrig::test]
#[database(fixtures("todos"))]
async fn finishes_a_todo_and_refuses_an_unknown_one(pool: &SqlitePool) {
    assert_eq!(send(pool, "POST", "/todos/2/done", None).await.0, StatusCode::NO_CONTENT);
    let (done,): (bool,) = sqlx::query_as("SELECT done FROM todos WHERE id = 2").fetch_one(pool).await.unwrap();
    assert!(done);
    assert_eq!(send(pool, "POST", "/todos/99/done", None).await.0, StatusCode::NOT_FOUND);
}

/// No attribute: `migrations/`, no seeds.
#[testrig::test]
async fn starts_empty_without_seeds(pool: &SqlitePool) {
    assert_eq!(send(pool, "GET", "/todos", None).await.1, serde_json::json!([]));
    assert_eq!(
        send(pool, "POST", "/todos", Some(serde_json::json!({ "title": " " }))).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
