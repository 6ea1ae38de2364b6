#[testrig::test]
unsafe fn unsafe_test() {}

fn main() {}
