use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }

    fn teardown(self, _force: bool) {}
}

fn main() {}
