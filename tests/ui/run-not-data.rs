use testrig::prelude::*;

// A run fixture's value crosses processes: a live handle cannot.
pub struct Server {
    pub child: std::process::Child,
}

#[fixture(scope = run)]
impl Server {
    fn setup() -> Self {
        Server { child: std::process::Command::new("true").spawn().unwrap() }
    }
}

fn main() {}
