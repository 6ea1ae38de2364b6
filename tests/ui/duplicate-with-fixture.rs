use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[testrig::test]
#[with(Db, Db)]
fn db_twice() {}

fn main() {}
