include!("support/app_config.rs");

#[testrig::test]
#[conf(in = CONF, in = CONF, compute.rpc_response_timeout = 1)]
fn target_twice() {}

fn main() {}
