use serde::{Deserialize, Serialize};
use testrig::prelude::*;

#[derive(Serialize, Deserialize)]
pub struct Server {
    pub url: String,
}

#[fixture(scope = run)]
impl Server {
    fn setup() -> Self {
        Server { url: "http://localhost".to_owned() }
    }
}

// Every test of the run shares it.
#[testrig::test]
fn changes_the_server(server: &mut Server) {
    server.url.clear();
}

fn main() {}
