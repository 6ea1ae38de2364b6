#[fixture::test]
unsafe fn unsafe_test() {}

fn main() {}
