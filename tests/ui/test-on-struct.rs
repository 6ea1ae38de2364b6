#[testrig::test]
struct NotATest;

fn main() {}
