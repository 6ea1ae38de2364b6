use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn connect() -> Self {
        Db
    }
}

fn main() {}
