//! `#[service(..)]`: services start before the body with their handle published, stop after
//! it, and fail the test when they panic or fail in the background.
#![allow(unnameable_test_items)] // cases nested in the tests that check how they fail

mod support;
use support::panic_text;

use std::net::SocketAddr;
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use testrig::prelude::*;
use testrig::service::{ServiceContext, Services};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static ECHO_STOPPED: AtomicBool = AtomicBool::new(false);

/// An echo server on 127.0.0.1:0 that returns when asked to stop.
async fn echo(service: ServiceContext) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    service.ready(listener.local_addr()?);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (mut socket, _) = accepted?;
                let mut buffer = [0; 64];
                let read = socket.read(&mut buffer).await?;
                socket.write_all(&buffer[..read]).await?;
            }
            () = service.stopped() => {
                ECHO_STOPPED.store(true, Ordering::SeqCst);
                return Ok(());
            }
        }
    }
}

async fn counter(service: ServiceContext) -> Result<(), String> {
    service.ready(7_u64);
    service.stopped().await;
    Ok(())
}

#[test]
fn services_serve_the_body_and_stop_after_it() {
    #[service(echo, counter)]
    async fn case(services: &Services) {
        assert_eq!(services.names(), ["echo", "counter"]);
        let address: &SocketAddr = services.get("echo");
        let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
        client.write_all(b"ping").await.unwrap();
        let mut answer = [0; 4];
        client.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"ping");
        assert_eq!(*services.get::<u64>("counter"), 7);
        assert!(!ECHO_STOPPED.load(Ordering::SeqCst));
    }
    ECHO_STOPPED.store(false, Ordering::SeqCst);
    case();
    assert!(ECHO_STOPPED.load(Ordering::SeqCst), "the service was not asked to stop");
}

async fn panics_in_the_background(service: ServiceContext) -> Result<(), String> {
    service.ready(());
    tokio::time::sleep(Duration::from_millis(10)).await;
    panic!("the service fell over");
}

#[test]
fn a_service_that_panics_in_the_background_fails_a_passing_body() {
    #[service(panics_in_the_background)]
    async fn case(_services: &Services) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(
        message.contains(
            "teardown of fixture `Services` failed: service `panics_in_the_background` panicked: the service fell over"
        ),
        "{message}"
    );
}

async fn fails_after_ready(service: ServiceContext) -> Result<(), String> {
    service.ready(());
    Err("lost its database".to_owned())
}

#[test]
fn a_service_error_fails_the_test() {
    #[service(fails_after_ready)]
    async fn case() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("service `fails_after_ready` failed: lost its database"), "{message}");
}

async fn cannot_bind(_service: ServiceContext) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, "address in use"))
}

#[test]
fn a_service_that_fails_to_start_fails_setup_and_stops_the_others() {
    #[service(counter, cannot_bind)]
    async fn case() {
        unreachable!("the body must not run");
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(
        message.contains(
            "setup of fixture `Services` failed: service `cannot_bind` failed before it was ready: address in use"
        ),
        "{message}"
    );
}

#[test]
fn an_unknown_service_name_lists_the_known_ones() {
    #[service(counter)]
    fn case(services: &Services) {
        services.get::<u64>("countr");
    }
    let message = panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("no service `countr` in this test; its services are: counter"), "{message}");
}
