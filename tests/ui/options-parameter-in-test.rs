#[testrig::test]
fn test_with_config(#[options] _count: &usize) {}

fn main() {}
