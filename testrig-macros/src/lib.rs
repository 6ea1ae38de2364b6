//! Attribute macros of the [`testrig`](https://docs.rs/testrig) crate. Depend on `testrig`,
//! which re-exports them; generated code refers to `::testrig::__private`.
//!
//! Each macro parses into a small IR (`ast`), checks it with every error collected (`check`),
//! then expands (`expand`). On error it emits the errors *and* the user's item.

use proc_macro::TokenStream;

mod ast;
mod attr;
mod cfg_params;
mod check;
mod ctxt;
mod entry;
mod expand;
#[cfg(test)]
mod expansion_snapshots;
mod features;
mod messages;
mod parse;
#[cfg(test)]
mod robustness;
mod roots;

/// Makes a type a fixture. See the `testrig` crate's documentation.
#[proc_macro_attribute]
pub fn fixture(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::fixture(args.into(), item.into()).into()
}

/// Makes a function a fixture test. See the `testrig` crate's documentation.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::FixtureTest, args.into(), item.into()).into()
}

/// Adds fixtures that no parameter names, optionally configured. See the `testrig` crate.
#[proc_macro_attribute]
pub fn with(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::With, args.into(), item.into()).into()
}

/// Overrides configuration fields for one test. See the `testrig` crate's documentation.
#[proc_macro_attribute]
pub fn conf(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Conf, args.into(), item.into()).into()
}

/// One row of a parametrized test. See the `testrig` crate's documentation.
#[proc_macro_attribute]
pub fn case(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::case(args.into(), item.into()).into()
}

/// Sets or removes environment variables for one test. See the `testrig` crate.
#[proc_macro_attribute]
pub fn env(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Env, args.into(), item.into()).into()
}

/// Gives the test its own API, cell0 and named cell databases. See the `testrig` crate.
#[proc_macro_attribute]
pub fn with_cells(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::WithCells, args.into(), item.into()).into()
}

/// Gives the test its own database, migrated and seeded. See the `testrig` crate.
#[proc_macro_attribute]
pub fn database(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Database, args.into(), item.into()).into()
}

/// Gives the test several named databases, each migrated and seeded. See the `testrig` crate.
#[proc_macro_attribute]
pub fn databases(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Databases, args.into(), item.into()).into()
}

/// Makes any database use in the test panic. See the `testrig` crate.
#[proc_macro_attribute]
pub fn poison_db(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::PoisonDb, args.into(), item.into()).into()
}

/// Captures the test's `tracing` events into its `Logs`. See the `testrig` crate.
#[proc_macro_attribute]
pub fn capture_logs(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::CaptureLogs, args.into(), item.into()).into()
}

/// Fails the test when it runs longer than the limit, in seconds. See the `testrig` crate.
#[proc_macro_attribute]
pub fn timeout(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Timeout, args.into(), item.into()).into()
}

/// Starts async services on the test's runtime before the body and stops them after it. See
/// the `testrig` crate.
#[proc_macro_attribute]
pub fn service(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr::OurAttribute::Service, args.into(), item.into()).into()
}
