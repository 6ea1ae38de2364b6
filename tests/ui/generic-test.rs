#[testrig::test]
fn generic_test<T>() {}

fn main() {}
