//! The same 200 tests as `testrig_conf.rs`, written the way a global configuration forces:
//! mutate it, restore it, and serialize every such test with serial_test's `#[serial]`.

use std::sync::RwLock;
use std::time::Duration;

use serial_test::serial;

#[derive(Clone, Default)]
pub struct AppConfig {
    pub rpc_response_timeout: u64,
    pub max_attempts: u64,
}

pub static CONF: RwLock<AppConfig> = RwLock::new(AppConfig { rpc_response_timeout: 0, max_attempts: 0 });

fn work(seed: u64) {
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(1));
        let conf = CONF.read().unwrap().clone();
        assert_eq!((conf.rpc_response_timeout, conf.max_attempts), (seed, seed % 7));
    }
}

macro_rules! tests {
    ($($name:ident = $seed:literal),*) => {$(
        #[test]
        #[serial]
        fn $name() {
            let saved = CONF.read().unwrap().clone();
            *CONF.write().unwrap() = AppConfig { rpc_response_timeout: $seed, max_attempts: $seed % 7 };
            work($seed);
            *CONF.write().unwrap() = saved;
        }
    )*};
}

include!("two_hundred.rs");
