use testrig::db::Cells;
use testrig::prelude::*;

pub struct Cloud;

#[fixture]
impl Cloud {
    fn setup(_cells: &Cells) -> Self {
        Cloud
    }
}

#[poison_db]
fn poisoned_but_needs_cells(_cloud: &Cloud) {}

fn main() {}
