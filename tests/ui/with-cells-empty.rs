#[testrig::test]
#[testrig::with_cells()]
fn no_cells_named() {}

fn main() {}
