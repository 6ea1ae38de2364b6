//! Built with `--features mistakes` by tests/outside_crates.rs, which expects each item
//! below to fail with an error naming the testrig feature it needs.
#![cfg(feature = "mistakes")]

use testrig::prelude::*;

pub struct Remote;

#[fixture]
impl Remote {
    async fn setup() -> Self {
        Remote
    }
}

#[testrig::test]
async fn an_async_test() {}

#[testrig::test]
#[capture_logs]
fn captures() {}

#[testrig::test]
#[with_cells(cell1)]
fn with_databases() {}

#[testrig::test]
#[poison_db]
fn poisoned() {}

#[testrig::test]
#[service(start)]
fn with_a_service() {}

#[testrig::test]
#[database(fixtures("users"))]
fn with_a_database() {}

#[testrig::test(start_paused = true)]
fn with_a_paused_clock() {}

pub struct RunWide;

#[fixture(scope = run)]
impl RunWide {
    fn setup() -> Self {
        RunWide
    }
}
