use fixture::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[fixture::test]
#[with(Db, Db)]
fn db_twice() {}

fn main() {}
