#[testrig::test]
#[env("A=B" = "1")]
fn key_with_an_equals_sign() {}

fn main() {}
