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
#[conf(compute.rpc_response_timeout = "ten")]
fn value_of_the_wrong_type() {}

fn main() {}
