#[testrig::test]
#[testrig::poison_db]
#[testrig::poison_db]
fn poisoned_twice() {}

fn main() {}
