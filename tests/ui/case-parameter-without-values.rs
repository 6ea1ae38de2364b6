#[testrig::test]
fn needs_a_value(name: &'static str) {
    assert!(!name.is_empty());
}

fn main() {}
