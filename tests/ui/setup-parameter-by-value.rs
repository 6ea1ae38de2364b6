use testrig::prelude::*;

pub struct Db;
pub struct App;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[fixture]
impl App {
    fn setup(db: Db) -> Self {
        let _ = db;
        App
    }
}

fn main() {}
