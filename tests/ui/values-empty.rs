#[testrig::test]
fn counts(#[values()] n: u32) {
    assert!(n > 0);
}

fn main() {}
