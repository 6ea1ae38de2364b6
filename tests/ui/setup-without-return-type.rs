use fixture::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() {}
}

fn main() {}
