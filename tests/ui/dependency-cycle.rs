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

fn main() {}
