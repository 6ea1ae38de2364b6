use testrig::prelude::*;

pub struct Catalog;

#[fixture(scope = session)]
impl Catalog {
    fn setup() -> Self {
        Catalog
    }
}

fn main() {}
