use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup(&self) -> Self {
        Db
    }
}

fn main() {}
