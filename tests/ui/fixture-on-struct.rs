use fixture::prelude::*;

#[fixture]
pub struct Db;

fn main() {}
