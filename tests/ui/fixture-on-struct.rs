use testrig::prelude::*;

#[fixture]
pub struct Db;

fn main() {}
