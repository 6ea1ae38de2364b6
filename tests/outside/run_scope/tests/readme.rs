use serde::{Deserialize, Serialize};
use testrig::prelude::*;

#[derive(Serialize, Deserialize)]
pub struct MockServer {
    pub url: String,
}

#[fixture(scope = run)]
impl MockServer {
    async fn setup() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        // Runs for the whole run: on the runtime of the process that keeps the fixture.
        tokio::spawn(async move { while listener.accept().await.is_ok() {} });
        Ok(MockServer { url })
    }

    async fn teardown(self) -> std::io::Result<()> {
        Ok(())
    }
}

#[testrig::test]
async fn talks_to_the_server(server: &MockServer) {
    assert!(server.url.starts_with("http://127.0.0.1:"));
}
