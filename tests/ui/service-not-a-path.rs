use testrig::prelude::*;

#[service("start_api")]
async fn served() {}

fn main() {}
