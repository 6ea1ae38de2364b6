#[testrig::test]
fn test_with_config(#[config] _count: &usize) {}

fn main() {}
