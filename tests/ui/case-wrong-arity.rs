#[testrig::test]
#[case(1, 2)]
#[case(3)]
fn adds(a: u32, b: u32) {
    assert!(a + b > 0);
}

fn main() {}
