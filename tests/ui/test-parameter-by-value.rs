use fixture::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[fixture::test]
fn takes_db_by_value(db: Db) {
    let _ = db;
}

fn main() {}
