use testrig::prelude::*;

pub struct Db;

#[fixture(by_value = true)]
impl Db {
    fn setup() -> Self {
        Db
    }
}

fn main() {}
