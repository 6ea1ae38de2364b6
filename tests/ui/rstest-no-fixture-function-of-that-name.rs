use testrig::prelude::*;

#[fixture]
fn graph() -> Vec<u32> {
    vec![1]
}

// rstest's injection by name: `grahp` names no fixture function.
#[testrig::test]
fn misspelt(grahp: Vec<u32>) {
    let _ = grahp;
}

// `#[from(..)]` naming none either.
#[testrig::test]
fn from_nothing(#[from(nodes)] g: Vec<u32>) {
    let _ = g;
}

fn main() {}
