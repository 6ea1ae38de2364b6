include!("support/app_config.rs");

#[testrig::test]
#[conf(compute.rpc_response_timeout = 10, compute.rpc_response_timeout = 20)]
fn same_field_twice() {}

fn main() {}
