use testrig::prelude::*;

pub struct Db;

#[fixture(scope = process)]
impl Db {
    fn setup() -> Self {
        Db
    }
}

fn main() {}
