#[testrig::test]
#[testrig::with_cells(cell1)]
#[testrig::with_cells(cell2)]
fn cells_in_two_attributes() {}

fn main() {}
