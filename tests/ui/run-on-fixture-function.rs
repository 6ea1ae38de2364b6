use testrig::prelude::*;

// `scope = run` belongs on a fixture type, whose value is data.
#[fixture(scope = run)]
fn server_url() -> String {
    "http://localhost:8080".to_owned()
}

fn main() {}
