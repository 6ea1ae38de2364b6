//! Sync tests with testrig's default features: fixtures, configuration, environment,
//! cases and a timeout, none of which needs an async runtime or log capture.

use std::sync::atomic::{AtomicU32, Ordering};

use testrig::prelude::*;

#[derive(Clone, Default)]
pub struct Settings {
    pub retries: u32,
}

pub static CONF: testrig::Conf<Settings> = testrig::Conf::new();

pub struct Counter(AtomicU32);

#[fixture]
impl Counter {
    fn setup() -> Self {
        Counter(AtomicU32::new(CONF.get().retries))
    }
}

pub struct Client {
    pub retries: u32,
}

#[fixture]
impl Client {
    fn setup(counter: &Counter) -> Self {
        Client { retries: counter.0.fetch_add(1, Ordering::SeqCst) }
    }

    fn teardown(self) -> Result<(), String> {
        Ok(())
    }
}

#[testrig::test]
#[conf(retries = 3)]
fn fixtures_see_the_tests_configuration(client: &Client, counter: &Counter) {
    assert_eq!(client.retries, 3);
    assert_eq!(counter.0.load(Ordering::SeqCst), 4, "one Counter, shared by Client and the test");
}

#[testrig::test]
fn without_overrides_the_base_value(client: &Client) {
    assert_eq!(client.retries, 0);
}

#[testrig::test]
#[env(SYNC_ONLY_MODE = "strict")]
#[timeout(5)]
fn env_and_timeout(_client: &Client) {
    assert_eq!(std::env::var("SYNC_ONLY_MODE").as_deref(), Ok("strict"));
}

#[testrig::test]
#[case(1, 2)]
#[case(2, 3)]
fn cases_with_a_fixture(n: u32, expected: u32, client: &Client) {
    assert_eq!(n + 1 + client.retries, expected);
}
