use fixture::prelude::*;

#[service("start_api")]
async fn served() {}

fn main() {}
