use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Default for Db {
    fn default() -> Self {
        Db
    }
}

fn main() {}
