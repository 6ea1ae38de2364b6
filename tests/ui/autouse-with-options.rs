use testrig::prelude::*;

pub struct Region(String);

#[fixture(autouse)]
impl Region {
    fn setup(#[options] name: &String) -> Self {
        Region(name.clone())
    }
}

fn main() {}
