use testrig::prelude::*;

pub struct Region;

#[fixture(autouse = true)]
impl Region {
    fn setup() -> Self {
        Region
    }
}

fn main() {}
