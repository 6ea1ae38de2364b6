use testrig::prelude::*;

// No `#[testrig::test]`: the first `#[with_cells]` makes the fixture test.
#[with_cells(a)]
#[with_cells(b)]
fn cells_twice() {}

fn main() {}
