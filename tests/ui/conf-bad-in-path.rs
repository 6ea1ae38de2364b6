include!("support/app_config.rs");

#[testrig::test]
#[conf(in = settings::CONF, compute.rpc_response_timeout = 10)]
fn target_does_not_exist() {}

fn main() {}
