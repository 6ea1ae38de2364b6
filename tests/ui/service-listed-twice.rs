use testrig::prelude::*;
use testrig::service::ServiceContext;

async fn start_api(service: ServiceContext) -> Result<(), String> {
    service.ready(());
    Ok(())
}

#[service(start_api)]
#[service(self::start_api)]
async fn served() {}

fn main() {}
