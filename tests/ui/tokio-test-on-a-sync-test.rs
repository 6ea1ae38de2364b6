// rstest's async tests name `#[tokio::test]`, whose options are ours; on a sync test it
// means nothing.
#[testrig::test]
#[tokio::test]
fn sync_test() {}

fn main() {}
