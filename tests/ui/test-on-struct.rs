#[fixture::test]
struct NotATest;

fn main() {}
