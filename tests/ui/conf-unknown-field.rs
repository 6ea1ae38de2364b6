include!("support/app_config.rs");

#[testrig::test]
#[conf(compute.rpc_timeout = 10)]
fn misspelled_field() {}

fn main() {}
