use testrig::prelude::*;

pub struct Db;

#[fixture]
impl Db {
    fn setup() -> Self {
        Db
    }
}

#[testrig::test]
fn five_cfg_parameters(
    #[cfg(unix)] _a: &Db,
    #[cfg(windows)] _b: &Db,
    #[cfg(debug_assertions)] _c: &Db,
    #[cfg(test)] _d: &Db,
    #[cfg(doc)] _e: &Db,
) {
}

fn main() {}
