use fixture::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[fixture::test]
fn takes_db_mutably(db: &mut Db) {
    let _ = db;
}

fn main() {}
