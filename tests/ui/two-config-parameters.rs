use testrig::prelude::*;

pub struct Cells;

#[fixture]
impl Cells {
    fn setup(#[config] _names: &Vec<String>, #[config] _count: &usize) -> Self {
        Cells
    }
}

fn main() {}
