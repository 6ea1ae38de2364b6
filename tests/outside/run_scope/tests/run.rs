//! A server set up once per run (in its keeper under nextest), a client fixture of the same
//! run requiring it, a once and a per-test fixture requiring those, and a run fixture whose
//! setup fails when `RUN_SCOPE_BREAK` is set.

use std::io::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use testrig::prelude::*;

/// Appends one line to the ledger, whole (one `write` of an `O_APPEND` file).
fn ledger(line: String) {
    let Some(path) = std::env::var_os("RUN_SCOPE_LEDGER") else { return };
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("the ledger opens");
    file.write_all(format!("{line}\n").as_bytes()).expect("the ledger takes a line");
}

fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some()
}

/// A TCP server: its accept loop runs on the runtime it was set up on (its keeper's, under
/// nextest), so tests of every process reach it for the whole run.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Server {
    pub addr: String,
    /// Told apart from another run's server.
    pub token: String,
}

#[fixture(scope = run)]
impl Server {
    async fn setup() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        let token = format!("{}-{}", std::process::id(), addr);
        let greeting = token.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                use tokio::io::AsyncWriteExt as _;
                let _ = socket.write_all(greeting.as_bytes()).await;
            }
        });
        ledger(format!("setup Server {} {token}", std::process::id()));
        Ok(Server { addr, token })
    }

    async fn teardown(self) -> std::io::Result<()> {
        // The server still answers: nothing of the run was torn down before it.
        assert_eq!(greeting(&self).await, self.token);
        ledger(format!("teardown Server {} {}", std::process::id(), self.token));
        Ok(())
    }
}

async fn greeting(server: &Server) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut socket = tokio::net::TcpStream::connect(&server.addr).await.expect("the run's server answers");
    let mut text = String::new();
    socket.read_to_string(&mut text).await.expect("the server says its token");
    text
}

/// A run fixture requiring another: torn down before it.
#[derive(Serialize, Deserialize, Debug)]
pub struct Client {
    pub token: String,
}

#[fixture(scope = run)]
impl Client {
    fn setup(server: &Server) -> Self {
        ledger(format!("setup Client {} {}", std::process::id(), server.token));
        Client { token: server.token.clone() }
    }

    fn teardown(self) {
        ledger(format!("teardown Client {} {}", std::process::id(), self.token));
    }
}

/// Once per process, from the run's value.
pub struct PerProcess(String);

#[fixture(scope = once)]
impl PerProcess {
    fn setup(client: &Client) -> Self {
        PerProcess(client.token.clone())
    }
}

/// Per test, from the run's value.
pub struct PerTest(String);

#[fixture]
impl PerTest {
    fn setup(client: &Client, per_process: &PerProcess) -> Self {
        assert_eq!(client.token, per_process.0);
        PerTest(client.token.clone())
    }
}

/// Fails to set up when `RUN_SCOPE_BREAK` is set.
#[derive(Serialize, Deserialize, Debug)]
pub struct Broken;

#[fixture(scope = run)]
impl Broken {
    fn setup() -> Result<Self, String> {
        ledger(format!("setup Broken {}", std::process::id()));
        match flag("RUN_SCOPE_BREAK") {
            true => Err("the broken fixture's setup fails on purpose".to_owned()),
            false => Ok(Broken),
        }
    }
}

async fn check(name: &str, server: &Server) {
    assert_eq!(greeting(server).await, server.token);
    ledger(format!("test {name} {} {}", std::process::id(), server.token));
}

macro_rules! tests_of_the_server {
    ($($name:ident)*) => {$(
        #[testrig::test]
        async fn $name(server: &Server, per_test: &PerTest) {
            assert_eq!(per_test.0, server.token);
            check(stringify!($name), server).await;
        }
    )*};
}

tests_of_the_server!(t01 t02 t03 t04 t05 t06 t07 t08 t09 t10);

/// Fails its first attempt when `RUN_SCOPE_FLAKY` is set (nextest's `--retries` tries again).
#[testrig::test]
async fn flaky(server: &Server) {
    if let Some(dir) = std::env::var_os("RUN_SCOPE_FLAKY") {
        let marker = std::path::Path::new(&dir).join("flaky-tried");
        if !marker.exists() {
            std::fs::write(&marker, "").expect("the marker is written");
            panic!("the first attempt fails on purpose");
        }
    }
    check("flaky", server).await;
}

/// Killed with `kill -9` once attached, when `RUN_SCOPE_KILL` is set.
#[testrig::test]
async fn killed(server: &Server) {
    if flag("RUN_SCOPE_KILL") {
        ledger(format!("killing {}", std::process::id()));
        let _ = std::process::Command::new("kill").args(["-9", &std::process::id().to_string()]).status();
        std::thread::sleep(Duration::from_secs(30));
    }
    check("killed", server).await;
}

/// When `RUN_SCOPE_BLOCK` names a file: says its runner's pid, then waits (at most a minute)
/// for that file, so the runner can be killed while it runs.
#[testrig::test]
async fn blocked(server: &Server) {
    if let Some(release) = std::env::var_os("RUN_SCOPE_BLOCK") {
        ledger(format!("blocking {} runner {}", std::process::id(), parent_pid()));
        for _ in 0..600 {
            if std::path::Path::new(&release).exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    check("blocked", server).await;
}

fn parent_pid() -> String {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after_name.split_whitespace().nth(1).unwrap_or("?").to_owned()
}

#[testrig::test]
fn broken_a(_broken: &Broken) {
    ledger(format!("test broken_a {}", std::process::id()));
}

#[testrig::test]
fn broken_b(_broken: &Broken) {
    ledger(format!("test broken_b {}", std::process::id()));
}
