include!("support/app_config.rs");

#[fixture::test]
#[conf(compute.rpc_timeout = 10)]
fn misspelled_field() {}

fn main() {}
