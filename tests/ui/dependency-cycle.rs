use testrig::prelude::*;

pub struct Api;
pub struct Cells;
pub struct Scheduler;

#[fixture]
impl Api {
    fn setup(_cells: &Cells) -> Self {
        Api
    }
}

#[fixture]
impl Cells {
    fn setup(_scheduler: &Scheduler) -> Self {
        Cells
    }
}

#[fixture]
impl Scheduler {
    fn setup(_api: &Api) -> Self {
        Scheduler
    }
}



// A test of a fixture on the cycle adds no second report of it.
#[testrig::test]
fn uses_the_cycle(_api: &Api, _cells: &Cells) {}
fn main() {}
