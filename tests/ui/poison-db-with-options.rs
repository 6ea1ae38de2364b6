#[testrig::test]
#[testrig::poison_db(strict)]
fn poisoned_with_an_option() {}

fn main() {}
