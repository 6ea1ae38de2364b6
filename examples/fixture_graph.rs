//! Prints the fixtures linked into a binary, like `pytest --fixtures`: as text, or with `--dot`
//! as a Graphviz graph (`cargo run --example fixture_graph -- --dot | dot -Tsvg > fixtures.svg`).
//!
//! In your own test crate, the same listing is one test away:
//! `#[test] fn fixtures() { print!("{}", testrig::registry::text()) }`, run with
//! `cargo test fixtures -- --nocapture`.

use testrig::logs::Logs;
use testrig::prelude::*;

/// A small cloud's fixtures, so the listing shows a graph and not only the built-ins.
pub struct Hosts;

#[fixture]
impl Hosts {
    fn setup() -> Self {
        Hosts
    }
}

pub struct Scheduler;

#[fixture]
impl Scheduler {
    fn setup(_hosts: &Hosts, _logs: &Logs) -> Self {
        Scheduler
    }
}

/// Every test of this crate gets its logs captured.
pub struct Quiet;

#[fixture(autouse)]
impl Quiet {
    fn setup(_logs: &Logs) -> Self {
        Quiet
    }
}

fn main() {
    if std::env::args().any(|arg| arg == "--dot") {
        print!("{}", testrig::registry::dot());
    } else {
        print!("{}", testrig::registry::text());
    }
}
