#[testrig::test]
#[database(migrations = false)]
#[poison_db]
fn claims_and_poisons() {}

fn main() {}
