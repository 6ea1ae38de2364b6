#[testrig::test]
#[env(RUST_LOG = "debug")]
#[env(RUST_LOG = "info")]
fn same_variable_twice() {}

fn main() {}
