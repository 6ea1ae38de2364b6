#[testrig::test]
#[testrig::with_cells(api, cell0, cell1)]
fn names_the_built_in_databases() {}

fn main() {}
