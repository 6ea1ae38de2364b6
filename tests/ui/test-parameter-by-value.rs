use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

// `Db` is not `#[fixture(by_value)]`.
#[testrig::test]
fn takes_db_by_value(db: Db) {
    let _ = db;
}

// No `#[case]` rows: a by-value `u32` is read as a fixture taken by value.
#[testrig::test]
fn forgot_the_rows(n: u32) {
    let _ = n;
}

fn main() {}
