include!("support/app_config.rs");

#[testrig::test]
#[conf(compute.rpc_response_timeout = "ten")]
fn value_of_the_wrong_type() {}

fn main() {}
