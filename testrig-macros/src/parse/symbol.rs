//! The option keys of our grammars, each written once (serde_derive's `symbol.rs`): the
//! parsers match on them, the slots report duplicates under them, and the lists of valid
//! keys an unknown one is answered with are made of them.

// `#[testrig::test(..)]`
pub const FLAVOR: &str = "flavor";
pub const WORKER_THREADS: &str = "worker_threads";
pub const START_PAUSED: &str = "start_paused";
pub const ALLOW_LEAKS: &str = "allow_leaks";
pub const NO_AUTOUSE: &str = "no_autouse";

// `#[database(..)]`, `#[databases(name(..))]`
pub const MIGRATIONS: &str = "migrations";
pub const FIXTURES: &str = "fixtures";
/// `#[sqlx::test(migrator = "path::MIGRATOR")]`'s: not taken yet.
pub const MIGRATOR: &str = "migrator";
/// `#[database(backend = postgres)]`: this backend, whatever the environment says.
pub const BACKEND: &str = "backend";
/// `#[database(backends(sqlite, postgres))]`: the test once per backend.
pub const BACKENDS: &str = "backends";

// `#[fixture(..)]`
pub const AUTOUSE: &str = "autouse";
pub const BY_VALUE: &str = "by_value";
pub const SCOPE: &str = "scope";
/// Public: for a crate that re-exports testrig.
pub const CRATE: &str = "crate";
/// testrig's own fixtures only.
pub const BUILT_IN: &str = "built_in";
pub const SCOPE_HOOK: &str = "scope_hook";
pub const PREPARE: &str = "prepare";
pub const CLAIMS: &str = "claims";
