use testrig::prelude::*;

pub struct Counter(std::cell::Cell<u32>);

#[fixture(scope = once)]
impl Counter {
    fn setup() -> Self {
        Counter(std::cell::Cell::new(0))
    }
}

fn main() {}
