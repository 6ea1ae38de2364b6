use testrig::prelude::*;

pub struct Cells;

#[fixture]
impl Cells {
    fn setup(#[options] _count: &usize) -> Self {
        Cells
    }
}

#[testrig::test]
#[with(Cells = "two")]
fn wrong_config_type(_cells: &Cells) {}

fn main() {}
