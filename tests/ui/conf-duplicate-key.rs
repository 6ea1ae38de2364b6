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

#[fixture::test]
#[conf(compute.rpc_response_timeout = 10, compute.rpc_response_timeout = 20)]
fn same_field_twice() {}

fn main() {}
