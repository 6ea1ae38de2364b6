use testrig::prelude::*;

#[timeout(0)]
fn limited() {}

fn main() {}
