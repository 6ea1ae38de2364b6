use fixture::prelude::*;

#[service()]
async fn served() {}

fn main() {}
