#[testrig::test]
#[testrig::with_cells("cell 1", cell-2)]
fn names_that_are_not_identifiers() {}

fn main() {}
