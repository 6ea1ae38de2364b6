testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

#[testrig::test]
#[testrig::with_cells(cell1)]
#[testrig::poison_db]
fn claims_and_poisons() {}

fn main() {}
