use testrig::prelude::*;

#[timeout("10s")]
fn limited() {}

fn main() {}
