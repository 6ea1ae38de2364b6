include!("support/app_config.rs");

#[testrig::test]
#[conf(compute.rpc_response_timeout)]
fn field_without_a_value() {}

fn main() {}
