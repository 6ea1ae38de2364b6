//! A fixture's metadata and trait, the compile-time plan, the stack a test's fixtures live
//! in, the scope of a running test, what a test is, and the run itself. Names the leaf layer,
//! not features.
//!
//! # How a feature plugs in
//!
//! The core never names a feature, not even its concepts (`.ci/import_graph.py --layers`
//! checks both). A feature reaches the run through capabilities the core declares and calls
//! without knowing whose they are, each attached to what it concerns:
//!
//! - **a fixture's**, in its metadata ([`fixture::FixtureMeta`]), filled in by `#[fixture]`:
//!   a hook its tests' scopes are made with (`scope_hook`: log capture from the first
//!   instant), what it claims for its test (`claims`, bits a feature defines: the database
//!   fixtures claim the database, which `#[poison_db]` refuses at compile time, see
//!   [`plan::check_refusal`]), a process-wide instance (`once`);
//! - **a test's**, in its data ([`test::Test::on_enter`]), generated from its attributes:
//!   what each does once the test's scope is entered (`#[env]` sets variables and holds them
//!   until after the last teardown, `#[conf]` installs overrides, `#[poison_db]` poisons);
//! - **every test's**, at the crate root ([`run::Plugged`]): checks after the teardowns (leaks),
//!   a hook per case of a parametrized test (insta's snapshot names), the executor (tokio).
//!
//! A capability is a function pointer or a value of the core's own types; the core compares
//! no id string to find a feature.

pub(crate) mod by_name;
pub(crate) mod fixture;
pub mod plan;
pub mod registry;
pub(crate) mod run;
pub(crate) mod scope;
pub(crate) mod stack;
pub(crate) mod test;
