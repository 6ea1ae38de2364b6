#[testrig::test]
#[env()]
fn no_variables() {}

fn main() {}
