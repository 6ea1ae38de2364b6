#[testrig::test(flavor = "work_stealing")]
async fn bad_flavor() {}

fn main() {}
