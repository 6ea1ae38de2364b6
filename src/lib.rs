//! # testrig
//!
//! Test fixtures as attribute macros, in the spirit of pytest fixtures and OpenStack Nova's
//! test fixtures: a fixture is a type with a `setup` (and optional `teardown`); a test names
//! the fixtures it wants as `&T` parameters; the dependency order between fixtures is worked
//! out **at compile time**, and teardown runs in exact reverse order whatever happens.
//!
//! ```
//! use testrig::prelude::*;
//!
//! pub struct Database { url: String }
//!
//! #[fixture]
//! impl Database {
//!     fn setup() -> Self {
//!         Database { url: "sqlite::memory:".into() }
//!     }
//! }
//!
//! pub struct App { db_url: String }
//!
//! #[fixture]
//! impl App {
//!     // `&Database` makes `Database` a dependency: it is set up first, torn down last.
//!     async fn setup(db: &Database) -> Result<Self, std::io::Error> {
//!         Ok(App { db_url: db.url.clone() })
//!     }
//!
//!     async fn teardown(self) -> Result<(), std::io::Error> {
//!         Ok(())
//!     }
//! }
//!
//! #[testrig::test]
//! async fn app_uses_the_test_database(app: &App, db: &Database) {
//!     assert_eq!(app.db_url, db.url); // one instance of each fixture per test
//! }
//! # app_uses_the_test_database();
//! ```
//!
//! ## What you write
//!
//! - [`#[fixture]`](macro@fixture) on an `impl Type` block with `fn setup(deps..) -> Self`
//!   (sync or `async`, returning `Self` or `Result<Self, E>`) and an optional
//!   `fn teardown(self)` (sync or `async`, returning `()` or `Result<(), E>`).
//! - [`#[testrig::test]`](macro@test) on a test, sync or `async`; parameters `&T` are
//!   injected by type. Options: `flavor = "multi_thread"`, `worker_threads = N`.
//! - [`#[with(T, U = options)]`](macro@with) adds fixtures no parameter names, and gives
//!   fixtures their options.
//!
//! ## Guarantees
//!
//! - **Plan at compile time.** The fixtures a test needs and their order are computed by a
//!   `const fn`: a dependency cycle is a compile error naming the cycle, a type that is not a
//!   fixture is a compile error saying how to make it one.
//! - **One instance per type per test**, shared by every dependent and the body.
//! - **Reverse teardown** on pass, on panic and after a failed setup (only what was set up);
//!   every teardown runs; all failures are reported together, each naming its fixture; a
//!   passing test whose teardown fails, fails.
//! - **Scope.** Each test runs in its own [`Scope`], entered on the test thread and on every
//!   worker of its runtime, carried by [`spawn`] and [`thread::spawn`].
//! - `TESTRIG_SHOW=1` prints each test's setup/teardown plan with timings.
//!
//! ## Features
//!
//! None is on by default: sync tests build no async runtime, log capture or database code.
//!
//! | feature | adds |
//! |---|---|
//! | `async` | `async fn` tests and fixtures, [`spawn`], [`wait_for_async`], [`#[service]`](macro@service) |
//! | `logs` | [`#[capture_logs]`](macro@capture_logs), `logs::Logs`, `logs::Notifications` |
//! | `sqlite` | databases on embedded SQLite: [`#[database]`](macro@database), `&sqlx::SqlitePool`, `db::Database`, [`#[poison_db]`](macro@poison_db) (implies `async`) |
//! | `postgres` | the same on a PostgreSQL server (`TESTRIG_DATABASE_URL`, else `DATABASE_URL`), `&sqlx::PgPool` |
//! | `tls` | TLS to that server (rustls) |
//! | `any` | `&sqlx::AnyPool`, Nova's preset [`#[with_cells]`](macro@with_cells) / `db::Cells`, the `db::api()` / `db::cell()` seam |
//! | `sqlx-0_8-sqlite`, `sqlx-0_8-postgres`, `sqlx-0_8-tls`, `sqlx-0_8-any` | the four above for an app on sqlx 0.8 |
//!
//! The database features switch on only their own part of your sqlx (no `any`, no TLS unless
//! named) and build only the sqlx your app uses: `sqlite`/`postgres`/`tls`/`any` are for sqlx
//! 0.9, the `sqlx-0_8-*` ones for sqlx 0.8, and the two sets exclude each other.
//!
//! What needs a feature that is off is a compile error naming it:
//!
//! ```text
//! error: `#[capture_logs]` needs testrig's `logs` feature: write `testrig = { version = "0.1", features = ["logs"] }` under `[dev-dependencies]`
//! ```
//!
//! ## Chapters
//!
//! Each attribute's page has a runnable example: [`#[fixture]`](macro@fixture) (also
//! `autouse`, `scope = once`, `scope = run`, `#[options]`), [`#[testrig::test]`](macro@test) (`flavor`,
//! `worker_threads`, `no_autouse`, `allow_leaks`), [`#[with]`](macro@with),
//! [`#[conf]`](macro@conf), [`#[env]`](macro@env), [`#[timeout]`](macro@timeout),
//! [`#[with_cells]`](macro@with_cells), [`#[poison_db]`](macro@poison_db),
//! [`#[capture_logs]`](macro@capture_logs), [`#[service]`](macro@service). The two below
//! belong to no single attribute.
//!
//! ### Parametrized tests: `#[case]` and `#[values]`
//!
//! Parameters marked `#[case]` get their values from the `#[case(..)]` rows, in order (in a
//! test that marks none, every parameter taken by value does), or from their own
//! `#[values(..)]`; fixtures (`&T`) and fixture functions by name mix freely with them. Every
//! row times every `#[values]` combination is its own test in a module named after the
//! function (`adds::case_1`, `adds::case_2_negative`, `grid::x_1_1::y_2_20`, as rstest names
//! them), so `cargo test adds::` and nextest filter per case; an attribute written before a
//! row (`#[should_panic]`, `#[ignore]`, `#[timeout]`) is that case's, one after the last row
//! every case's. A generic test is instantiated per case.
//!
//! ```
//! use testrig::prelude::*;
//!
//! pub struct Offset(i32);
//!
//! #[fixture]
//! impl Offset {
//!     fn setup() -> Self {
//!         Offset(10)
//!     }
//! }
//!
//! #[testrig::test]
//! #[case(1, 11)]
//! #[case::negative(-1, 9)]
//! fn adds(n: i32, expected: i32, offset: &Offset) {
//!     assert_eq!(n + offset.0, expected);
//! }
//!
//! #[testrig::test]
//! fn grid(#[values(1, 2)] x: u32, #[values(10, 20)] y: u32) {
//!     assert!(x < y);
//! }
//! # fn main() {
//! #     adds::case_1();
//! #     adds::case_2_negative();
//! #     grid::x_1_1::y_1_10();
//! #     grid::x_2_2::y_2_20();
//! # }
//! ```
//!
//! ### Coming from rstest
//!
//! The port is the attribute's name and the `use` line: `#[rstest]` → `#[testrig::test]`,
//! `use rstest::*;` → `use testrig::prelude::*;` (rstest_reuse's `use` lines dropped). rstest's
//! shapes mean what they mean there and list the same test names: injection by name (a
//! by-value parameter is the fixture function of its name, called for it), `#[case]`,
//! `#[values]`, `#[files]`, `#[from]`, `#[with]`, `#[default]`, `#[once]`, `#[by_ref]`,
//! `#[future]` / `#[awt]`, `#[context]`, `#[trace]`, `#[timeout(Duration)]`,
//! [`#[template]`](macro@template) / [`#[apply]`](macro@apply). testrig's own `&T` stays the
//! fixture type `T` of the test, set up once per test and torn down after it. The README's
//! "Coming from rstest" lists what differs and why.
//!
//! ```
//! use testrig::prelude::*;
//!
//! #[fixture]
//! fn base() -> u32 {
//!     2
//! }
//!
//! #[fixture]
//! fn doubled(base: u32, #[default(2)] factor: u32) -> u32 {
//!     base * factor
//! }
//!
//! #[testrig::test] // was #[rstest]
//! #[case::small(1)]
//! #[case::large(10)]
//! fn adds(#[case] n: u32, doubled: u32, #[with(3)] #[from(doubled)] tripled: u32) {
//!     assert_eq!(doubled + n, 4 + n);
//!     assert_eq!(tripled, 6);
//! }
//! # fn main() { adds::case_1_small(); adds::case_2_large(); }
//! ```
//!
//! ### The leak guard and `allow_leaks`
//!
//! A thread started with [`thread::spawn`] (or, with `async`, a task started with [`spawn`])
//! that still runs after the test's teardown fails the test, naming where it was started.
//! `#[testrig::test(allow_leaks)]` turns the check off for a test that means to leave one.
//!
//! ```
//! use std::time::Duration;
//!
//! #[testrig::test]
//! fn leaves_a_thread() {
//!     testrig::thread::spawn(|| std::thread::sleep(Duration::from_secs(2)));
//! }
//!
//! #[testrig::test(allow_leaks)]
//! fn may_leave_one() {
//!     testrig::thread::spawn(|| std::thread::sleep(Duration::from_secs(2)));
//! }
//!
//! let failure = std::panic::catch_unwind(leaves_a_thread).unwrap_err();
//! let message = failure.downcast_ref::<String>().unwrap();
//! assert!(message.contains("still running after teardown: a thread started at"), "{message}");
//! may_leave_one();
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub use testrig_runtime::{
    plan, thread, wait_for, BoxError, Conf, ConfGuard, Context, Fixture, FixtureStack, InContext, Observation, Scope,
    ScopeGuard, Scoped, TempDir, TestContext, TestOutcome,
};
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use testrig_runtime::{spawn, wait_for_async};

/// Makes a type a fixture.
///
/// On an inherent `impl` block with a `setup` function, whose `&T` parameters are the
/// fixture's dependencies, and an optional `teardown(self)`:
///
/// ```
/// use testrig::prelude::*;
/// # pub struct Cells;
/// # #[fixture] impl Cells { fn setup() -> Self { Cells } }
///
/// pub struct Hosts { names: Vec<String> }
///
/// #[fixture]
/// impl Hosts {
///     fn setup(_cells: &Cells) -> std::io::Result<Self> {
///         Ok(Hosts { names: vec!["host1".into(), "host2".into()] })
///     }
///
///     fn teardown(self) {
///         // release what setup acquired; runs after every test, passing or not
///     }
/// }
///
/// #[testrig::test]
/// fn two_hosts(hosts: &Hosts) {
///     assert_eq!(hosts.names.len(), 2);
/// }
/// # two_hosts();
/// ```
///
/// A fixture can take options from the test (`#[with(Type = value)]`) through one
/// `#[options]` parameter of `setup` (its type is the fixture's `Fixture::Options`); tests
/// that give none get `Default::default()`. (It was `#[config]`, too close to `#[conf]`,
/// which overrides a `testrig::Conf`; `#[config]` is now an error saying so.)
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Cells { names: Vec<&'static str> }
///
/// #[fixture]
/// impl Cells {
///     fn setup(#[options] names: &Vec<&'static str>) -> Self {
///         Cells { names: if names.is_empty() { vec!["cell1"] } else { names.clone() } }
///     }
/// }
///
/// #[testrig::test]
/// #[with(Cells = vec!["cell1", "cell2"])]
/// fn configured(cells: &Cells) {
///     assert_eq!(cells.names, ["cell1", "cell2"]);
/// }
/// # configured();
/// ```
///
/// Or on a function returning the value, of any type, taken two ways. By name, as rstest
/// takes it: a parameter `scratch_dir: PathBuf` is the function's value, made for that
/// parameter; the function's by-value parameters are other fixture functions by name, its
/// `&T` ones fixtures of the test, `#[default(v)]` ones `v`; it may be generic, `async`, return
/// a tuple or `impl Trait`. By type, as testrig takes fixtures: `fn scratch_dir()` is also the
/// fixture `ScratchDir`, which the macro defines around the value (`PathBuf`, `String`, a type
/// of another crate), set up once per test and dereferencing to it (`into_inner()` takes it
/// out) — except where it cannot be (a generic function, `-> impl Trait`, `fn port() -> Port`):
/// a type of the user's own of that name wins. The function's types are defined in a module
/// beside it, which sees the items of the enclosing module, not those of a function body
/// around it (a doctest: write its `fn main`).
///
/// ```
/// use std::path::PathBuf;
/// use testrig::prelude::*;
///
/// #[fixture]
/// fn scratch_dir() -> PathBuf {
///     std::env::temp_dir().join("scratch")
/// }
///
/// #[fixture]
/// fn config_file(dir: &ScratchDir) -> std::io::Result<PathBuf> {
///     Ok(dir.join("app.toml"))
/// }
///
/// #[testrig::test]
/// fn paths(dir: &ScratchDir, config: &ConfigFile) {
///     assert!(config.starts_with(&**dir));
///     assert_eq!(config.file_name().unwrap(), "app.toml");
/// }
///
/// // rstest's reading: the function's value by name, made for this parameter.
/// #[testrig::test]
/// fn by_name(scratch_dir: PathBuf) {
///     assert!(scratch_dir.ends_with("scratch"));
/// }
/// # fn main() { paths(); by_name(); }
/// ```
///
/// A test that is the only user of a fixture may take it `&mut T`; one marked
/// `#[fixture(by_value)]` it may take by value, and then its teardown is skipped — the
/// test owns the value (test-context's `skip_teardown`). Anything else naming `T` (another
/// parameter, a fixture that requires it, `scope = once`) is a compile error saying so:
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Counter(u32);
///
/// #[fixture]
/// impl Counter {
///     fn setup() -> Self {
///         Counter(0)
///     }
/// }
///
/// pub struct Connection { open: bool }
///
/// #[fixture(by_value)]
/// impl Connection {
///     fn setup() -> Self {
///         Connection { open: true }
///     }
///     fn teardown(self) {
///         unreachable!("a test that takes it by value owns it");
///     }
/// }
///
/// #[testrig::test]
/// fn counts(counter: &mut Counter, conn: Connection) {
///     counter.0 += 1;
///     assert!(conn.open);
///     drop(conn); // closed by the test
/// }
/// # counts();
/// ```
///
/// `#[fixture(autouse)]` applies the fixture to every fixture test of the module that defines
/// it and of its submodules, without naming it (`#[testrig::test(no_autouse)]` opts out);
/// `#[fixture(autouse = crate)]` to every fixture test of the crate, as from the
/// `tests/common/mod.rs` that test files include with `mod common;`:
///
/// ```
/// mod api_tests {
///     use testrig::prelude::*;
///     use std::sync::atomic::{AtomicUsize, Ordering};
///
///     pub static SET_UP: AtomicUsize = AtomicUsize::new(0);
///     pub struct Quiet;
///
///     #[fixture(autouse)]
///     impl Quiet {
///         fn setup(_logs: &testrig::logs::Logs) -> Self {
///             SET_UP.fetch_add(1, Ordering::SeqCst);
///             Quiet
///         }
///     }
///
///     #[testrig::test]
///     pub fn gets_quiet_without_asking() {
///         assert_eq!(SET_UP.load(Ordering::SeqCst), 1);
///     }
///
///     #[testrig::test(no_autouse)]
///     pub fn opts_out() {}
/// }
/// api_tests::gets_quiet_without_asking();
/// api_tests::opts_out();
/// assert_eq!(api_tests::SET_UP.load(std::sync::atomic::Ordering::SeqCst), 1);
/// ```
///
/// `#[fixture(scope = once)]` sets the fixture up once per process, for every test that needs
/// it (they share it read-only, so it must be `Send + Sync`), and tears it down at exit:
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Catalog(Vec<&'static str>);
///
/// #[fixture(scope = once)]
/// impl Catalog {
///     fn setup() -> Self {
///         Catalog(vec!["m1.small", "m1.large"])
///     }
/// }
///
/// #[testrig::test]
/// fn reads_the_shared_catalog(catalog: &Catalog) {
///     assert_eq!(catalog.0.len(), 2);
/// }
/// # reads_the_shared_catalog();
/// ```
///
/// Under nextest, a process per test, `once` is once per test. `#[fixture(scope = run)]`
/// (feature `run`) is once per *run*: under `cargo test` the process, under
/// `cargo nextest run` every process of the invocation. The first test that needs it starts
/// the fixture's keeper (the test binary again), which sets it up, shares its value — data,
/// `Serialize + Deserialize` — with every process of the run, and tears it down after the
/// run's last test (the README's "Once per run" says when and how):
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use testrig::prelude::*;
///
/// #[derive(Serialize, Deserialize)]
/// pub struct Broker {
///     pub url: String,
/// }
///
/// #[fixture(scope = run)]
/// impl Broker {
///     fn setup() -> Self {
///         Broker { url: "amqp://127.0.0.1:5672".to_owned() }
///     }
/// }
///
/// #[testrig::test]
/// fn publishes(broker: &Broker) {
///     assert!(broker.url.starts_with("amqp://"));
/// }
/// # publishes();
/// ```
///
/// A dependency cycle does not compile:
///
/// ```compile_fail
/// use testrig::prelude::*;
/// pub struct A;
/// pub struct B;
/// #[fixture] impl A { fn setup(_: &B) -> Self { A } }
/// #[fixture] impl B { fn setup(_: &A) -> Self { B } }
/// ```
pub use testrig_macros::fixture;

/// Makes a function a test whose `&T` parameters are fixtures.
///
/// Works on `fn` and `async fn` (which get a tokio runtime: current-thread by default,
/// `#[testrig::test(flavor = "multi_thread", worker_threads = 2)]` for a multi-thread one),
/// with `#[should_panic]`, `#[ignore]` and a `Result<(), E>` return type.
///
/// ```
/// use testrig::prelude::*;
/// # pub struct Db;
/// # #[fixture] impl Db { async fn setup() -> Self { Db } }
///
/// #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn runs_on_two_workers(_db: &Db) -> Result<(), String> {
///     let scope = testrig::Scope::current().unwrap();
///     let seen = tokio::spawn(async { testrig::Scope::current().unwrap().id() }).await.unwrap();
///     assert_eq!(seen, scope.id()); // workers run inside the test's scope
///     Ok(())
/// }
/// # runs_on_two_workers();
/// ```
///
/// With the `start-paused` feature, `start_paused = true` pauses the tokio clock while the
/// body runs: sleeps return at once, in order. Fixtures set up and tear down in real time,
/// and a `#[timeout]` counts wall-clock time:
///
/// ```
/// # #[cfg(feature = "start-paused")] {
/// use std::time::Duration;
///
/// #[testrig::test(start_paused = true)]
/// async fn an_hour_passes_at_once() {
///     let start = tokio::time::Instant::now();
///     tokio::time::sleep(Duration::from_secs(3600)).await;
///     assert!(start.elapsed() >= Duration::from_secs(3600));
/// }
/// # an_hour_passes_at_once();
/// # }
/// ```
///
/// `#[files("glob", ..)]` on a parameter makes one case per matching file (relative to the
/// crate root), named after it; parameters under `#[cfg]` are passed only when compiled:
///
/// ```
/// #[testrig::test]
/// fn every_manifest_parses(#[files("Cargo.toml")] manifest: std::path::PathBuf, #[cfg(any())] never: &u8) {
///     assert!(std::fs::read_to_string(&manifest).unwrap().contains("[package]"));
/// }
/// # every_manifest_parses::manifest_1_Cargo_toml();
/// ```
///
/// A parameter that is not a fixture does not compile:
///
/// ```compile_fail
/// #[testrig::test]
/// fn needs_a_fixture(text: &String) {}
/// ```
pub use testrig_macros::test;

/// Adds fixtures to a test that no parameter names, and configures fixtures:
/// `#[with(Type)]`, `#[with(Type = options)]`. On its own it also makes the function a
/// fixture test.
///
/// ```
/// use testrig::prelude::*;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// static SET_UP: AtomicUsize = AtomicUsize::new(0);
/// pub struct Audit;
///
/// #[fixture]
/// impl Audit {
///     fn setup() -> Self {
///         SET_UP.fetch_add(1, Ordering::SeqCst);
///         Audit
///     }
/// }
///
/// #[with(Audit)]
/// fn audited() {
///     assert_eq!(SET_UP.load(Ordering::SeqCst), 1);
/// }
/// # audited();
/// ```
pub use testrig_macros::with;

/// Overrides fields of a [`Conf`] for one test: `#[conf(section.field = value, ..)]`.
///
/// The target is the `CONF` static in scope at the test, or `in = path::to::CONF`. Field
/// paths and values are checked by rustc at the attribute's tokens; a `&str` value fills a
/// `String` field. Several `#[conf]` attributes apply in the order written. The overrides
/// live in the test's [`Scope`]: its tasks and `testrig::thread::spawn` threads see them,
/// other tests never do, and they end with the test however it ends.
///
/// ```
/// use testrig::prelude::*;
/// use testrig::Conf;
///
/// #[derive(Clone, Default)]
/// pub struct Settings { pub workers: usize, pub region: String }
///
/// pub static CONF: Conf<Settings> = Conf::new();
///
/// #[conf(workers = 4, region = "regionTwo")]
/// fn sees_the_overrides() {
///     let settings = CONF.get();
///     assert_eq!((settings.workers, settings.region.as_str()), (4, "regionTwo"));
/// }
/// # sees_the_overrides();
/// assert_eq!(CONF.get().workers, 0);
/// ```
///
/// A field that does not exist does not compile:
///
/// ```compile_fail
/// # use testrig::Conf;
/// # #[derive(Clone, Default)] pub struct Settings { pub workers: usize }
/// # pub static CONF: Conf<Settings> = Conf::new();
/// #[testrig::conf(wrokers = 4)]
/// fn typo() {}
/// ```
pub use testrig_macros::conf;

/// Sets (`KEY = "value"`) or removes (`KEY = unset`) environment variables for one test and
/// restores the previous values (set or unset) when it ends, however it ends.
///
/// The environment is process-wide, so the test holds a lock on each name it touches: tests
/// sharing a name run one after the other, all others in parallel. In the prelude, beside
/// `std`'s `env!` (`env!("CARGO_MANIFEST_DIR")` still works with the prelude imported):
/// `#[env(..)]` below another fixture attribute, `#[testrig::env(..)]` on its own.
///
/// ```
/// #[testrig::env(TESTRIG_DOC_REGION = "regionTwo", TESTRIG_DOC_DEBUG = unset)]
/// fn reads_the_environment() {
///     assert_eq!(std::env::var("TESTRIG_DOC_REGION").unwrap(), "regionTwo");
///     assert!(std::env::var_os("TESTRIG_DOC_DEBUG").is_none());
/// }
/// # reads_the_environment();
/// assert!(std::env::var_os("TESTRIG_DOC_REGION").is_none());
/// ```
pub use testrig_macros::env;

/// One row of values for a parametrized test: a test of its own per row, named `case_N` or,
/// as `#[case::name(..)]`, `case_N_name`. Written below `#[testrig::test]`, it is read by it;
/// written first, it makes the function a fixture test itself, as `#[testrig::test]` would.
///
/// ```
/// use testrig::prelude::*;
///
/// #[case(2, 4)]
/// #[case(3, 9)]
/// fn squares(n: u32, square: u32) {
///     assert_eq!(n * n, square);
/// }
/// # squares::case_1(); squares::case_2();
/// ```
pub use testrig_macros::case;

/// rstest_reuse's `#[template]`: a function that carries a test's attributes — its test
/// attribute, `#[case]` rows, `#[should_panic]`, its parameters' `#[case]` / `#[values]` —
/// for `#[apply(name)]` to give to other tests. The function itself is not a test. A
/// template is a macro of the module, reached from child modules with `use super::*`.
///
/// ```
/// use testrig::prelude::*;
///
/// #[template]
/// #[testrig::test]
/// #[case::one(1)]
/// #[case::two(2)]
/// fn small(#[case] n: u32) {}
///
/// // The template's rows, then this test's own.
/// #[apply(small)]
/// #[case::three(3)]
/// fn is_positive(n: u32) {
///     assert!(n > 0);
/// }
/// # is_positive::case_1_one(); is_positive::case_3_three();
/// ```
pub use testrig_macros::template;

/// rstest_reuse's `#[apply(name)]`: the test gets template `name`'s attributes before its own,
/// and each parameter the template's attributes for the parameter of its name. See
/// [`template`](macro@template).
pub use testrig_macros::apply;

#[doc(hidden)]
pub use testrig_macros::apply_template as __apply_template;

/// The database seam, the `Cells` fixture and the schema declaration. See
/// [`testrig_runtime::db`].
#[cfg(feature = "db")]
#[cfg_attr(docsrs, doc(cfg(feature = "db")))]
pub mod db {
    #[cfg(any(feature = "postgres", feature = "sqlx-0_8-postgres"))]
    pub use testrig_runtime::db::server_url;
    #[cfg(feature = "any")]
    pub use testrig_runtime::db::{
        api, cell, configure, schema, target_cell, CellGuard, CellTarget, Cells, CellsOptions, RegisteredSchema,
        Schema, Targeted, Urls,
    };
    pub use testrig_runtime::db::{
        poison, Backend, Database, DatabaseOptions, Databases, DatabasesOptions, DbError, Recipe, Seed,
    };
    // sqlx's items stay in sqlx's docs: a glob re-export here copied all of them into ours.
    #[doc(hidden)]
    pub use testrig_runtime::db::sqlx;
    #[cfg(feature = "any")]
    #[doc(no_inline)]
    pub use testrig_runtime::db::AnyPool;
}

/// Gives the test its own databases: the API database, cell0 and the named cells, each
/// migrated from the schema declared with [`db::schema!`], fresh for the test and removed after
/// it. `#[with_cells(in = path::to::SCHEMA, cell1)]` picks a schema when several are declared.
///
/// ```
/// use testrig::prelude::*;
/// use testrig::db::Cells;
/// # testrig::db::schema!(static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");
///
/// #[with_cells(cell1, cell2)]
/// async fn three_cells(cells: &Cells) {
///     assert_eq!(cells.names(), ["cell0", "cell1", "cell2"]);
/// }
/// # three_cells();
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "db")))]
pub use testrig_macros::with_cells;

/// Gives the test its own database, fresh from a template migrated and seeded once: the
/// crate's `migrations/` by default (as `sqlx::migrate!()`), `migrations = "path"` relative
/// to the crate root, or `migrations = false`; `fixtures("users", "posts")` runs
/// `fixtures/users.sql` then `fixtures/posts.sql` (next to the test file, as `#[sqlx::test]`
/// finds them) into the template, so a seeded test costs no more than an empty one, and a
/// missing file is a compile error; `fixtures(path = "../seeds/x.sql")` takes any file.
/// Tests reach it as `&sqlx::SqlitePool`, `&sqlx::PgPool`, `&sqlx::AnyPool` or
/// `&testrig::db::Database`; a test that takes one of those needs no attribute at all.
///
/// ```
/// use testrig::prelude::*;
///
/// #[testrig::test]
/// #[database(migrations = "tests/migrations/cell")]
/// async fn migrated(pool: &sqlx::SqlitePool) {
///     let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances").fetch_one(pool).await.unwrap();
///     assert_eq!(n, 0);
/// }
/// # fn main() { migrated(); }
/// ```
///
/// `backends(sqlite, postgres)` runs the test once per backend, as a module of cases named
/// after them (`counts::sqlite`, `counts::postgres`), each migrated with its backend's own
/// directory where there is one (`<migrations>/sqlite`, `<migrations>/postgres`). Such a test
/// takes `&testrig::db::Database` or `&sqlx::AnyPool` (a typed pool is one backend's: a
/// compile error). A backend that cannot be had here — PostgreSQL with no URL and no server
/// binaries — skips its case, saying why (`TESTRIG_NO_SKIP=1` fails it instead).
/// `backend = postgres` pins one backend, whatever `TESTRIG_DATABASE_URL` says.
///
/// ```
/// use testrig::db::Database;
///
/// #[testrig::test]
/// #[database(backends(sqlite, postgres), migrations = "tests/migrations/cell")]
/// async fn counts(db: &Database, pool: &sqlx::AnyPool) {
///     let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances").fetch_one(pool).await.unwrap();
///     assert_eq!(n, 0, "on {}", db.backend().name());
/// }
/// # fn main() { counts::sqlite(); counts::postgres(); }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "db")))]
pub use testrig_macros::database;

/// Gives the test several named databases, `#[databases(primary, analytics(migrations =
/// "db/analytics", fixtures("events")))]`, each with `#[database]`'s options, reached through
/// `&testrig::db::Databases` (`dbs.get("analytics").url()`).
///
/// ```
/// #[testrig::test]
/// #[databases(primary(migrations = "tests/migrations/cell"), analytics(migrations = false))]
/// async fn both(dbs: &testrig::db::Databases) {
///     assert_eq!(dbs.names(), ["primary", "analytics"]);
/// }
/// # fn main() { both(); }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "db")))]
pub use testrig_macros::databases;

/// Any use of [`db`] in this test — body, tasks, framework threads — panics, saying the test
/// does not claim the database (Nova's `DatabasePoisonFixture`).
///
/// ```
/// use testrig::prelude::*;
///
/// #[poison_db]
/// fn pure_logic() {
///     let used = std::panic::catch_unwind(|| testrig::db::api().map(drop));
///     assert!(used.is_err());
/// }
/// # pure_logic();
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "db")))]
pub use testrig_macros::poison_db;

/// The fixtures of this binary: [`registry::list`], and as text or a Graphviz graph.
pub mod registry {
    pub use testrig_runtime::registry::{dot, list, text, FixtureInfo};
}

/// Per-test log capture and notifications: [`logs::Logs`], [`logs::Notifications`].
#[cfg(feature = "logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub mod logs {
    pub use testrig_runtime::logs::*;
}

/// Captures the test's `tracing` events — from its thread, its runtime's workers, and the tasks
/// and threads it starts through `testrig` — into its [`logs::Logs`], and prints them only if
/// it fails. Same as naming `&Logs` as a parameter; the attribute suits tests that only want
/// the output of failures.
///
/// ```
/// use testrig::prelude::*;
///
/// #[capture_logs]
/// fn quiet_unless_it_fails() {
///     tracing::debug!(step = 1, "formatted even though nobody reads it");
/// }
/// # quiet_unless_it_fails();
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub use testrig_macros::capture_logs;

/// Fails the test if setup and body take longer than the limit, in seconds (`#[timeout(10)]`,
/// `#[timeout(0.5)]`), naming the stage that hung. An async test is cancelled at its next
/// `.await` and its fixtures are still torn down (each teardown bounded by the same limit);
/// a thread blocked in a call cannot be interrupted, so such a test fails when the limit
/// passes and its thread is left behind.
///
/// ```
/// use testrig::prelude::*;
///
/// #[timeout(0.2)]
/// async fn hangs() {
///     std::future::pending::<()>().await;
/// }
/// let failed = std::panic::catch_unwind(hangs).unwrap_err();
/// let message = failed.downcast_ref::<String>().unwrap();
/// assert!(message.contains("test body timed out"), "{message}");
/// ```
pub use testrig_macros::timeout;

/// Services started for a test: [`service::Services`], [`service::ServiceContext`].
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod service {
    pub use testrig_runtime::service::{ServiceContext, Services, ServicesOptions, READY_WITHIN, STOP_WITHIN};
}

/// Starts each named async start function — `async fn start(service: ServiceContext) ->
/// Result<(), E>` with `E: Display` — as a task on the test's runtime, in order, each ready
/// (it called [`service::ServiceContext::ready`] with its handle) before the next starts and
/// before the body; after the body asks each to stop and waits for it (within
/// [`service::STOP_WITHIN`], then aborts it). A service that panicked or returned an error,
/// at any time, fails the test, even when the body passed. The test reads the handles from
/// `&Services`: `services.get::<SocketAddr>("start_api")`.
///
/// ```
/// use testrig::prelude::*;
/// use testrig::service::{ServiceContext, Services};
///
/// async fn clock(service: ServiceContext) -> Result<(), String> {
///     service.ready(42_u32);
///     service.stopped().await;
///     Ok(())
/// }
///
/// #[service(clock)]
/// async fn reads_the_handle(services: &Services) {
///     assert_eq!(*services.get::<u32>("clock"), 42);
/// }
/// # reads_the_handle();
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use testrig_macros::service;

/// A table of `#[case]` rows that several tests share: `#[cases(table)]` on a test puts the
/// rows where it is written (rstest_reuse's template and `#[apply]`). The table is a
/// `macro_rules!` macro named `table`, re-exported with `pub(crate) use`, so a table in
/// `tests/common/mod.rs` is used as `#[cases(common::sizes)]`.
///
/// ```
/// use testrig::prelude::*;
///
/// testrig::case_table! {
///     /// The sizes every resize test runs with.
///     sizes {
///         #[case::small(1)]
///         #[case::large(1000)]
///     }
/// }
///
/// #[testrig::test]
/// #[cases(sizes)]
/// fn resizes(n: u32) {
///     assert!(n >= 1);
/// }
///
/// #[testrig::test]
/// #[cases(sizes)]
/// #[case::huge(1_000_000)] // and rows of its own
/// fn fits(n: u32) {
///     assert!(n <= 1_000_000);
/// }
/// # resizes::case_1_small(); resizes::case_2_large(); fits::case_3_huge();
/// ```
#[macro_export]
macro_rules! case_table {
    ($(#[$meta:meta])* $name:ident { $($rows:tt)* }) => {
        $crate::__case_table! { ($) $(#[$meta])* $name { $($rows)* } }
    };
}

/// [`case_table!`] with `$` passed in, so the table it defines can take the test as `$tt`s.
#[doc(hidden)]
#[macro_export]
macro_rules! __case_table {
    (($d:tt) $(#[$meta:meta])* $name:ident { $($rows:tt)* }) => {
        $(#[$meta])*
        #[allow(unused_macros)]
        macro_rules! $name {
            (@testrig_apply [$d($d before:tt)*] [$d($d after:tt)*] $d($d item:tt)*) => {
                $d($d before)* $($rows)* $d($d after)* $d($d item)*
            };
        }
        #[allow(unused_imports)]
        pub(crate) use $name;
    };
}

/// Ends the running fixture test as skipped: its fixtures are torn down, it passes, and
/// `testrig: skipped <test>: <reason>` is printed on stderr. Call it in the test or in a
/// fixture's `setup` (like `pytest.skip`), with `format!` arguments for the reason.
///
/// libtest (and so nextest) has no "skipped at run time" outcome: the test is reported as
/// passed (a `#[should_panic]` test, which passes only by panicking, fails instead). Set
/// `TESTRIG_NO_SKIP=1` in the CI job that must run everything, and every skip fails. Only the
/// test's setups and body may skip: in a teardown, or in a task or thread the test started,
/// it is a failure saying so. A fixture test called from another that skips skips the caller.
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Server(String);
///
/// #[fixture]
/// impl Server {
///     fn setup() -> Self {
///         match std::env::var("MY_SERVER_URL") {
///             Ok(url) => Server(url),
///             Err(_) => testrig::skip!("MY_SERVER_URL is not set"),
///         }
///     }
/// }
///
/// #[testrig::test]
/// fn talks_to_the_server(server: &Server) {
///     assert!(server.0.starts_with("http"));
/// }
/// # if std::env::var_os("TESTRIG_NO_SKIP").is_none() {
/// # std::env::remove_var("MY_SERVER_URL");
/// # talks_to_the_server(); // skipped: passes
/// # }
/// ```
#[macro_export]
macro_rules! skip {
    () => {
        $crate::__private::skip(::std::string::String::new())
    };
    ($($reason:tt)+) => {
        $crate::__private::skip(::std::format!($($reason)+))
    };
}

/// Nova's default fixture stack for every fixture test of the module where it is written and
/// of its submodules — write it once at the crate root of a test crate: each test's logs are
/// captured (and printed if it fails), the database is poisoned unless the test claims it
/// with `#[with_cells]`, and the leak guard (on for every test) fails tasks and threads left
/// running. `#[testrig::test(no_autouse)]` opts a test out.
///
/// ```
/// mod tests {
///     testrig::default_stack!();
///
///     #[testrig::test]
///     pub fn pure_logic() {
///         tracing::info!("captured, and shown only if this test fails");
///         let used = std::panic::catch_unwind(|| testrig::db::api().map(drop));
///         assert!(used.is_err(), "the database is poisoned for a test that does not claim it");
///     }
/// }
/// # tests::pure_logic();
/// ```
#[cfg(all(feature = "db", feature = "logs"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "db", feature = "logs"))))]
#[macro_export]
macro_rules! default_stack {
    () => {
        /// The default stack of this module's fixture tests (`testrig::default_stack!()`).
        pub struct DefaultStack;

        #[$crate::fixture(autouse)]
        impl DefaultStack {
            fn setup(_logs: &$crate::logs::Logs) -> Self {
                $crate::__private::poison_unless_claimed();
                DefaultStack
            }
        }
    };
}

/// `use testrig::prelude::*;` brings the attributes and the [`Fixture`] trait into scope.
pub mod prelude {
    // `env` too: in the macro namespace, an attribute does not hide std's `env!` macro.
    /// This crate again, under its own name: the path of `use testrig::prelude::*` then resolves
    /// through the import itself, so rustc never calls the prelude unused in a module whose tests
    /// read only attributes it brings (rustc never resolves those; tests/prelude_use.rs).
    #[doc(hidden)]
    pub use crate as testrig;
    /// rstest's name for the running test's [`TestContext`](crate::TestContext): a
    /// `#[context] ctx: Context` parameter.
    pub use crate::TestContext as Context;
    pub use crate::{
        apply, capture_logs, case, conf, database, databases, env, fixture, poison_db, service, template, timeout,
        with, with_cells, Fixture,
    };
}

/// Not public API: what the macros' generated code refers to.
#[doc(hidden)]
pub mod __private {
    pub use testrig_runtime::__private::*;
}
