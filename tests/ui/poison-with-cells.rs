fixture::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

#[fixture::test]
#[fixture::with_cells(cell1)]
#[fixture::poison_db]
fn claims_and_poisons() {}

fn main() {}
