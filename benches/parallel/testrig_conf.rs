//! 200 tests that override configuration with `#[conf]`: no lock, so the harness runs them
//! in parallel. Compared with `serial_conf.rs` by `benches/compare_parallel.sh`.

use std::time::Duration;

use testrig::Conf;

#[derive(Clone, Default)]
pub struct AppConfig {
    pub rpc_response_timeout: u64,
    pub max_attempts: u64,
}

pub static CONF: Conf<AppConfig> = Conf::new();

/// The same work on both sides: a few milliseconds of waiting on "the service", and reads of
/// the configuration that must see this test's values.
fn work(seed: u64) {
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(1));
        let conf = CONF.get();
        assert_eq!((conf.rpc_response_timeout, conf.max_attempts), (seed, seed % 7));
    }
}

macro_rules! tests {
    ($($name:ident = $seed:literal),*) => {$(
        #[testrig::test]
        #[conf(rpc_response_timeout = $seed, max_attempts = $seed % 7)]
        fn $name() {
            work($seed);
        }
    )*};
}

include!("two_hundred.rs");
