use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }

    fn teardown<T>(self) {}
}

fn main() {}
