#[testrig::test]
#[testrig::test]
fn tested_twice() {}

fn main() {}
