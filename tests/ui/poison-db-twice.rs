#[fixture::test]
#[fixture::poison_db]
#[fixture::poison_db]
fn poisoned_twice() {}

fn main() {}
