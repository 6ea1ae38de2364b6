use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() {}
}

fn main() {}
