use testrig::prelude::*;

pub struct Twice;

#[fixture]
#[fixture]
impl Twice {
    fn setup() -> Self {
        Twice
    }
}

fn main() {}
