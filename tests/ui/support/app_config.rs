// The configuration the `conf-*` cases override (included, not a case of its own).
use testrig::Conf;

#[derive(Clone, Default)]
pub struct AppConfig {
    pub compute: Compute,
}

#[derive(Clone, Default)]
pub struct Compute {
    pub rpc_response_timeout: u64,
}

pub static CONF: Conf<AppConfig> = Conf::new();
