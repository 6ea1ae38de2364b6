use testrig::prelude::*;

#[fixture]
fn base() -> u32 {
    2
}

// `#[default]` belongs on a fixture function's parameter.
#[testrig::test]
fn defaulted(#[default(3)] base: u32) {
    let _ = base;
}

fn main() {}
