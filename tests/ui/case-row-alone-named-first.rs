use testrig::prelude::*;

// A named row cannot come first: `case::small` is read as a path into a module `case`.
#[case::small(1)]
fn named_row_first(n: u32) {
    let _ = n;
}

fn main() {}
