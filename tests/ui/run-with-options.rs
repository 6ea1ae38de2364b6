use serde::{Deserialize, Serialize};
use testrig::prelude::*;

#[derive(Default)]
pub struct ServerOptions {
    pub port: u16,
}

#[derive(Serialize, Deserialize)]
pub struct Server {
    pub port: u16,
}

#[fixture(scope = run)]
impl Server {
    fn setup(#[options] options: &ServerOptions) -> Self {
        Server { port: options.port }
    }
}

fn main() {}
