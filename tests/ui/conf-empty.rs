include!("support/app_config.rs");

#[fixture::test]
#[conf()]
fn nothing_overridden() {}

fn main() {}
