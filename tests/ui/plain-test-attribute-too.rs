#[testrig::test]
#[test]
fn also_plain_test() {}

fn main() {}
