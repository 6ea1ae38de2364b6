use testrig::prelude::*;

pub struct Connection;

#[fixture]
impl Connection {
    fn setup() -> Self {
        Connection
    }
}

pub struct Catalog;

#[fixture(scope = once)]
impl Catalog {
    fn setup(_connection: &Connection) -> Self {
        Catalog
    }
}

fn main() {}
