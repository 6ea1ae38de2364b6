#[testrig::test]
#[with()]
fn adds_nothing() {}

fn main() {}
