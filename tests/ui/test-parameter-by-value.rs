use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[testrig::test]
fn takes_db_by_value(db: Db) {
    let _ = db;
}

fn main() {}
