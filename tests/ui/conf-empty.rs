include!("support/app_config.rs");

#[testrig::test]
#[conf()]
fn nothing_overridden() {}

fn main() {}
