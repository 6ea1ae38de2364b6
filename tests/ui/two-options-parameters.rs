use testrig::prelude::*;

pub struct Cells;

#[fixture]
impl Cells {
    fn setup(#[options] _names: &Vec<String>, #[options] _count: &usize) -> Self {
        Cells
    }
}

fn main() {}
