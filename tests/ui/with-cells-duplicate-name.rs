#[testrig::test]
#[testrig::with_cells(cell1, cell2, cell1)]
fn cell_twice() {}

fn main() {}
