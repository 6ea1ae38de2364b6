#[testrig::test]
extern "C" fn extern_test() {}

fn main() {}
