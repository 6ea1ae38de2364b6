use testrig::prelude::*;

#[timeout]
fn limited() {}

fn main() {}
