#[testrig::test]
#[case("bytes")]
fn no_from_str(value: Vec<u8>) {
    let _ = value;
}

fn main() {}
