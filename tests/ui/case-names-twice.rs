#[testrig::test]
#[case::small(1)]
#[case::small(2)]
fn sizes(n: u32) {
    assert!(n > 0);
}

fn main() {}
