use fixture::prelude::*;

#[timeout]
fn limited() {}

fn main() {}
