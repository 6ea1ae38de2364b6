#[testrig::test]
#[env(PORT = 8080)]
fn numeric_env_value() {}

fn main() {}
