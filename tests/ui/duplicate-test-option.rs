#[testrig::test(flavor = "multi_thread", flavor = "current_thread")]
async fn flavor_twice() {}

fn main() {}
