use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup<T: Default>() -> Self {
        Db
    }
}

fn main() {}
