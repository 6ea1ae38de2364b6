#[testrig::test]
const fn const_test() {}

fn main() {}
