use testrig::prelude::*;

pub struct Client;

// The fixture would be `Client`, the type it returns.
#[fixture]
fn client() -> Client {
    Client
}

pub struct Port(u16);

// Fallible, the fixture would still be `Port`, the type it returns.
#[fixture]
fn port() -> Result<Port, std::io::Error> {
    Ok(Port(0))
}

// The fixture would be `Result`, hiding std's from the module.
#[fixture]
fn result() -> std::io::Result<u32> {
    Ok(1)
}

// No struct field can hold an `impl Trait`.
#[fixture]
fn numbers() -> impl Iterator<Item = u8> {
    0..3
}

fn main() {}
