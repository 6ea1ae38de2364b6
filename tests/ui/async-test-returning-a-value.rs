#[testrig::test]
async fn returns_a_number() -> u32 {
    42
}

fn main() {}
