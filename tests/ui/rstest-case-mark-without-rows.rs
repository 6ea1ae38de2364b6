use testrig::prelude::*;

#[testrig::test]
fn no_rows(#[case] n: u32) {
    let _ = n;
}

fn main() {}
