use fixture::Conf;

#[derive(Clone, Default)]
pub struct AppConfig {
    pub compute: Compute,
}

#[derive(Clone, Default)]
pub struct Compute {
    pub rpc_response_timeout: u64,
}

pub static CONF: Conf<AppConfig> = Conf::new();

pub static NOT_A_CONF: u32 = 0;

#[fixture::test]
#[conf(in = NOT_A_CONF, compute.rpc_response_timeout = 10)]
fn target_is_not_a_conf() {}

fn main() {}
