#[testrig::test]
#[tokio::test]
async fn also_tokio_test() {}

fn main() {}
