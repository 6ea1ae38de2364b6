#[fixture::test]
#[fixture::test]
fn tested_twice() {}

fn main() {}
