use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[testrig::test]
fn takes_db_mutably(db: &mut Db) {
    let _ = db;
}

fn main() {}
