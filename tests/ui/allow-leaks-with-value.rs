#[testrig::test(allow_leaks = true)]
fn leaky() {}

fn main() {}
