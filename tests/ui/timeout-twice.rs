use testrig::prelude::*;

#[timeout(10)]
#[timeout(20)]
fn limited() {}

fn main() {}
