#[testrig::test(flavor = "multi_thread")]
fn sync_test_with_flavor() {}

fn main() {}
