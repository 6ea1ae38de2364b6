use testrig::prelude::*;

#[service()]
async fn served() {}

fn main() {}
