include!("support/app_config.rs");

pub static NOT_A_CONF: u32 = 0;

#[testrig::test]
#[conf(in = NOT_A_CONF, compute.rpc_response_timeout = 10)]
fn target_is_not_a_conf() {}

fn main() {}
