use testrig::prelude::*;

pub struct Catalog(String);

#[fixture(scope = once)]
impl Catalog {
    fn setup(#[options] region: &String) -> Self {
        Catalog(region.clone())
    }
}

fn main() {}
