#[fixture::test]
#[fixture::with_cells(cell1)]
#[fixture::with_cells(cell2)]
fn cells_in_two_attributes() {}

fn main() {}
