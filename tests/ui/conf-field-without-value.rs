include!("support/app_config.rs");

#[fixture::test]
#[conf(compute.rpc_response_timeout)]
fn field_without_a_value() {}

fn main() {}
