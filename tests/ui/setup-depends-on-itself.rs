use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup(_me: &Self) -> Self {
        Db
    }
}

fn main() {}
