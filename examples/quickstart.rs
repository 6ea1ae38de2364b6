//! A small tour of `testrig`: a configuration, a database and an app built on both, with
//! the dependency order worked out at compile time.
//!
//! Run it as a test suite with the plan printed: `TESTRIG_SHOW=1 cargo test --example quickstart`
//! (or `cargo run --example quickstart` to run the same tests as a program).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use testrig::prelude::*;

/// Settings the app reads.
pub struct Settings {
    pub region: String,
}

#[fixture]
impl Settings {
    fn setup() -> Self {
        Settings { region: "region-one".into() }
    }
}

/// An in-memory key-value "database", fresh for every test.
#[derive(Clone, Default)]
pub struct Database {
    rows: Arc<Mutex<BTreeMap<String, String>>>,
}

#[fixture]
impl Database {
    async fn setup() -> Result<Self, std::io::Error> {
        let db = Database::default();
        db.put("schema_version", "20");
        Ok(db)
    }

    async fn teardown(self) -> Result<(), std::io::Error> {
        self.rows.lock().unwrap().clear();
        Ok(())
    }
}

impl Database {
    pub fn put(&self, key: &str, value: &str) {
        self.rows.lock().unwrap().insert(key.into(), value.into());
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.rows.lock().unwrap().get(key).cloned()
    }
}

/// The application under test: needs the settings and the database, so both are set up
/// before it and torn down after it.
pub struct App {
    db: Database,
    region: String,
}

#[fixture]
impl App {
    fn setup(settings: &Settings, db: &Database) -> Self {
        App { db: db.clone(), region: settings.region.clone() }
    }
}

impl App {
    pub fn create_server(&self, name: &str) -> String {
        let id = format!("{}-{name}", self.region);
        self.db.put(&id, "ACTIVE");
        id
    }
}

#[testrig::test]
fn creates_a_server(app: &App, db: &Database) {
    let id = app.create_server("vm1");
    assert_eq!(db.get(&id).as_deref(), Some("ACTIVE"));
}

#[testrig::test]
async fn each_test_gets_a_fresh_database(db: &Database) {
    assert_eq!(db.get("region-one-vm1"), None);
    assert_eq!(db.get("schema_version").as_deref(), Some("20"));
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_run_inside_the_test_scope(app: &App) -> Result<(), String> {
    let test = testrig::Scope::current().ok_or("no scope")?.id();
    let seen =
        testrig::spawn(async { testrig::Scope::current().map(|scope| scope.id()) }).await.map_err(|e| e.to_string())?;
    assert_eq!(seen, Some(test));
    assert!(app.create_server("vm2").ends_with("vm2"));
    Ok(())
}

fn main() {
    creates_a_server();
    each_test_gets_a_fresh_database();
    tasks_run_inside_the_test_scope();
    println!("all quickstart tests passed");
}
