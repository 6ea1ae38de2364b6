use testrig::prelude::*;

async fn start_api() -> Result<(), String> {
    Ok(())
}

#[service(start_api)]
async fn served() {}

fn main() {}
