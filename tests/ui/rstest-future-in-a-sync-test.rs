use testrig::prelude::*;

#[fixture]
async fn later() -> u32 {
    5
}

#[testrig::test]
fn sync_test(#[future] later: u32) {
    let _ = later;
}

fn main() {}
