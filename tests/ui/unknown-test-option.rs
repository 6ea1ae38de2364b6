#[testrig::test(flavour = "multi_thread")]
async fn misspelled_option() {}

fn main() {}
