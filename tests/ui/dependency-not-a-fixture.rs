use testrig::prelude::*;

pub struct Config;
pub struct App;

#[fixture]
impl App {
    fn setup(_config: &Config) -> Self {
        App
    }
}

fn main() {}
