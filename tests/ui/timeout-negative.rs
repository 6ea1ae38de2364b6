use testrig::prelude::*;

#[timeout(-5)]
fn limited() {}

fn main() {}
