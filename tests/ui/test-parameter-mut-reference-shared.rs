use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

pub struct App;

#[fixture]
impl App {
    fn setup(_db: &Db) -> Self {
        App
    }
}

// `App` saw the `Db` this test would change.
#[testrig::test]
fn takes_db_mutably(_app: &App, db: &mut Db) {
    let _ = db;
}

pub struct Pool;

#[fixture(scope = once)]
impl Pool {
    fn setup() -> Self {
        Pool
    }
}

// Every test of the process shares it.
#[testrig::test]
fn takes_a_once_fixture_mutably(pool: &mut Pool) {
    let _ = pool;
}

// Named twice.
#[testrig::test]
fn names_it_twice(_db: &Db, again: &mut Db) {
    let _ = again;
}

fn main() {}
