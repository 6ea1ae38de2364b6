use serde::{Deserialize, Serialize};
use testrig::prelude::*;

pub struct Scratch;

#[fixture]
impl Scratch {
    fn setup() -> Self {
        Scratch
    }
}

pub struct Catalog;

#[fixture(scope = once)]
impl Catalog {
    fn setup() -> Self {
        Catalog
    }
}

// Set up once for every process of the run: it cannot require a per-test fixture, nor a
// once-per-process one.
#[derive(Serialize, Deserialize)]
pub struct Server;

#[fixture(scope = run)]
impl Server {
    fn setup(_scratch: &Scratch) -> Self {
        Server
    }
}

#[derive(Serialize, Deserialize)]
pub struct Registry;

#[fixture(scope = run)]
impl Registry {
    fn setup(_catalog: &Catalog) -> Self {
        Registry
    }
}

fn main() {}
