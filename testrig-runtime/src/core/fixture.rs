//! The `Fixture` trait and the static metadata `#[fixture]` emits for each fixture type.

use crate::leaf::report::Cause;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;

pub use crate::leaf::report::BoxError;

/// A value a test can receive by reference, set up before the test and torn down after it.
///
/// Implement it with `#[fixture]` on an `impl` block that has a `setup` function (and an
/// optional `teardown`); the macro fills in the metadata. The dependencies of a fixture are
/// the `&T` parameters of its `setup`; they are set up first, once per test, and torn down
/// after it.
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Counter(u32);
///
/// #[fixture]
/// impl Counter {
///     fn setup() -> Self {
///         Counter(41)
///     }
/// }
///
/// pub struct Answer(u32);
///
/// #[fixture]
/// impl Answer {
///     fn setup(counter: &Counter) -> Self {
///         Answer(counter.0 + 1)
///     }
/// }
///
/// #[testrig::test]
/// fn answer_is_counter_plus_one(answer: &Answer) {
///     assert_eq!(answer.0, 42);
/// }
/// # answer_is_counter_plus_one();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a fixture",
    label = "not a fixture: tests and fixtures receive only `&T` where `T` has `#[fixture]`",
    note = "make it one with `#[fixture] impl {Self} {{ fn setup(..) -> Self {{ .. }} }}`; for a type of \
            another crate, write `#[fixture] fn name(..) -> {Self} {{ .. }}` and take it by name, \
            `name: {Self}` (rstest's), or as the `&Name` it defines; or build the value inside the test body"
)]
pub trait Fixture: Sized + 'static {
    /// The configuration a test can give this fixture with `#[with(Type = value)]`; `()`
    /// for fixtures that take none. A fixture receives it through a `#[options]` parameter
    /// of its `setup`.
    type Options: Default + 'static;

    #[doc(hidden)]
    const META: FixtureRef;
}

/// What `#[fixture]` records about one fixture type: its name, its dependencies and the
/// type-erased functions that set it up and tear it down.
#[doc(hidden)]
pub struct FixtureMeta {
    /// The type as written at the `#[fixture]` impl, for messages.
    pub name: &'static str,
    /// Unique per fixture type: module path plus type, so the const planner can tell two
    /// fixtures apart without comparing pointers (which const evaluation does not allow).
    pub id: &'static str,
    pub deps: &'static [FixtureRef],
    pub setup: SetupFn,
    pub teardown: Option<TeardownFn>,
    /// Whether setup or teardown is `async`; a sync test builds a runtime only if one is.
    pub asynchronous: bool,
    pub default_options: fn() -> Box<dyn Any>,
    /// `Some` for a `#[fixture(scope = once)]` fixture (set up once per process) or a
    /// `#[fixture(scope = run)]` one (once per run, across processes): shared, not per test.
    pub once: Option<Shared>,
    /// The capability a feature's fixture plugs into the run with: a test whose plan has
    /// this fixture makes its scope with this hook (log capture from the first instant).
    pub scope_hook: Option<fn() -> std::sync::Arc<dyn crate::core::scope::ScopeHook>>,
    /// The capability to begin, given the test's options for the fixture, what its setup will
    /// wait for, before any fixture of the test is set up: a throwaway PostgreSQL server's start
    /// then goes on while the fixtures before the database set up.
    pub prepare: Option<fn(&dyn Any)>,
    /// The resources the fixture claims for its test: a test that promised to do without one
    /// ([`Refusal`]) does not compile with it in its plan.
    pub claims: Claims,
    /// `#[fixture(by_value = clone)]`: a test taking it by value gets a clone, and the test's
    /// instance stays for everyone else — no exclusive use for the planner to check.
    pub cloned_by_value: bool,
}

/// Resources a fixture claims for the test it is set up for, as bits a feature defines (the
/// database feature claims `DATABASE` for its fixtures): the core compares bits, never knows
/// which resource a bit is.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claims(pub u64);

impl Claims {
    pub const NONE: Claims = Claims(0);

    pub const fn overlap(self, other: Claims) -> bool {
        self.0 & other.0 != 0
    }
}

/// A test's promise to do without some resources (a feature's attribute: `#[poison_db]`): no
/// fixture of its plan may claim them. `attribute` and `resource` name both in the compile
/// error that breaks the promise.
#[doc(hidden)]
pub struct Refusal {
    pub refused: Claims,
    pub attribute: &'static str,
    pub resource: &'static str,
}

impl FixtureMeta {
    /// The fields a fixture leaves as they are; generated metadata ends with
    /// `..FixtureMeta::DEFAULT`, so a new capability does not grow every expansion.
    pub const DEFAULT: FixtureMeta = FixtureMeta {
        name: "<fixture with compile errors>",
        id: "<fixture with compile errors>",
        deps: &[],
        setup: fallback_setup,
        teardown: None,
        asynchronous: false,
        default_options: unit_config,
        once: None,
        scope_hook: None,
        prepare: None,
        claims: Claims::NONE,
        cloned_by_value: false,
    };
}

fn unit_config() -> Box<dyn Any> {
    Box::new(())
}

/// How a `scope = once` or `scope = run` fixture's instance is shared by every test of the
/// process (or of the run), and taken back for its teardown: a capability the `once` and `run`
/// features give the core (`features::once::once`, `features::run_scope::run`), which calls
/// it without knowing how instances are kept.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Shared {
    pub share: fn(Box<dyn Any>) -> SharedInstance,
    /// `None` if something still holds the instance.
    pub take_back: fn(SharedInstance) -> Option<Box<dyn Any>>,
    /// The instance of the fixture, set up with the given setup if no test did yet, and where
    /// it came from (`TESTRIG_SHOW` says).
    pub(crate) obtain: for<'a> fn(&'static FixtureMeta, Shared, SetupFuture<'a>) -> SharedFuture<'a>,
    /// `scope = run`: one instance per run, across processes. The planner reads it: a run
    /// fixture may require only run fixtures, and a once fixture no per-test one.
    pub per_run: bool,
    /// For a run fixture, a hash of its definition (its package and the `#[fixture]` item's
    /// tokens): with its path inside its crate, what tells its instance apart in a run. The test
    /// binaries of a package that compile the same definition at the same place (a
    /// `tests/common/mod.rs` each includes) share one instance, as the processes of one binary do.
    pub definition: u64,
    /// For a run fixture, the source file it is written in (`file!()`), which tells it apart
    /// in a run too: a copy of one fixture in two files is two fixtures.
    pub file: &'static str,
}

/// A fixture's setup, boxed for [`Shared::obtain`].
pub(crate) type SetupFuture<'a> = Pin<Box<dyn Future<Output = Result<Box<dyn Any>, Cause>> + 'a>>;

/// What [`Shared::obtain`] gives back: the instance and where it came from.
pub(crate) type SharedFuture<'a> = Pin<Box<dyn Future<Output = Result<(SharedInstance, Origin), Cause>> + 'a>>;

/// Where a shared instance came from, as `TESTRIG_SHOW` prints it ("set up here", "attached:
/// set up by the run's keeper").
pub(crate) type Origin = std::borrow::Cow<'static, str>;

/// The one instance of a `scope = once` fixture, shared by the tests of the process.
#[doc(hidden)]
pub type SharedInstance = std::sync::Arc<dyn Any + Send + Sync>;

/// Sets a fixture up from the stack that holds its (already set up) dependencies.
#[doc(hidden)]
pub type SetupFn = for<'a> fn(&'a dyn Dependencies) -> Step<'a, Box<dyn Any>>;

/// What a fixture's setup reads of its test: the instances of its dependencies, its
/// configuration, and which fixtures the test's plan has. The test's stack is one; naming
/// this interface rather than the stack keeps the metadata below the stack that holds it.
#[doc(hidden)]
pub trait Dependencies {
    /// The set-up instance whose type is `ty`, if the test has one.
    fn instance(&self, ty: std::any::TypeId) -> Option<&dyn Any>;
    /// What the test gave `fixture` with `#[with(..)]`, or its default.
    fn configuration(&self, fixture: &'static FixtureMeta) -> Option<&dyn Any>;
    /// Whether the test's plan has `fixture`, set up yet or not.
    fn has_planned(&self, fixture: &'static FixtureMeta) -> bool;
}

impl dyn Dependencies + '_ {
    /// The instance of fixture `T`.
    ///
    /// # Panics
    /// If `T` is not set up yet; the compile-time plan sets up every dependency before its
    /// dependents, so generated code never hits this.
    // No `T: Fixture` bound: the plan already requires it, and a second bound here would
    // repeat the "not a fixture" error for every parameter.
    pub fn get<T: 'static>(&self) -> &T {
        match self.instance(std::any::TypeId::of::<T>()).and_then(<dyn Any>::downcast_ref) {
            Some(instance) => instance,
            None => not_set_up(std::any::type_name::<T>()),
        }
    }

    /// The configuration of fixture `T`: what the test gave with `#[with(T = value)]`, or
    /// `T::Options::default()`.
    pub fn options<T: Fixture>(&self) -> &T::Options {
        let meta = T::META.get();
        match self.configuration(meta).and_then(<dyn Any>::downcast_ref::<T::Options>) {
            Some(config) => config,
            None => panic!("fixture `{}` has no configuration in this test's stack", meta.name),
        }
    }

    /// Whether the test's plan has fixture `T`: a fixture whose setup depends on what the
    /// test asks for (a database's backend on its typed pools) reads it.
    pub fn plans<T: Fixture>(&self) -> bool {
        self.has_planned(T::META.get())
    }
}

/// Tears down the instance a [`SetupFn`] produced.
#[doc(hidden)]
pub type TeardownFn = fn(Box<dyn Any>) -> Step<'static, ()>;

/// The result of a setup or teardown: ready at once (a sync fixture, no runtime needed) or a
/// future for the test's runtime to drive.
#[doc(hidden)]
pub enum Step<'a, T> {
    Ready(Result<T, BoxError>),
    Pending(Pin<Box<dyn Future<Output = Result<T, BoxError>> + 'a>>),
}

impl<'a, T> Step<'a, T> {
    pub fn pending(fut: impl Future<Output = Result<T, BoxError>> + 'a) -> Self {
        Step::Pending(Box::pin(fut))
    }
}

/// A reference to a fixture's static metadata.
///
/// Held as a raw pointer on purpose: a `const` whose value is a *reference* to a static makes
/// rustc evaluate that static's initializer, so two fixtures depending on each other would
/// report rustc's opaque query cycle (E0391) instead of our message naming the cycle. A raw
/// pointer is not followed until the planner walks the graph.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct FixtureRef(*const FixtureMeta);

// SAFETY: a `FixtureRef` is only made from `&'static FixtureMeta` (see `new`) and the
// metadata is immutable, so sharing or sending the pointer is sharing a `&'static`.
unsafe impl Sync for FixtureRef {}
// SAFETY: as above.
unsafe impl Send for FixtureRef {}

impl FixtureRef {
    pub const fn new(meta: &'static FixtureMeta) -> Self {
        FixtureRef(meta)
    }

    pub const fn get(self) -> &'static FixtureMeta {
        // SAFETY: the pointer came from a `&'static FixtureMeta` in `new`.
        unsafe { &*self.0 }
    }
}

impl std::fmt::Debug for FixtureRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get().name)
    }
}

/// Turns what a user's `setup` returned into the stack's type-erased result.
#[doc(hidden)]
pub fn setup_output<T: 'static, E: Into<BoxError>>(result: Result<T, E>) -> Result<Box<dyn Any>, BoxError> {
    match result {
        Ok(value) => Ok(Box::new(value)),
        Err(error) => Err(error.into()),
    }
}

/// The panic of [`Dependencies::get`], outside it: its message is formatted by code compiled
/// once, not in every crate for every fixture type.
#[cold]
#[track_caller]
pub(crate) fn not_set_up(type_name: &str) -> ! {
    panic!("fixture `{type_name}` is not set up in this test's stack")
}

/// An infallible setup's value as the stack's result.
#[doc(hidden)]
pub fn setup_value<T: 'static>(value: T) -> Result<Box<dyn Any>, BoxError> {
    Ok(Box::new(value))
}

/// Turns what a user's `teardown` returned into the stack's result.
#[doc(hidden)]
pub fn teardown_output<E: Into<BoxError>>(result: Result<(), E>) -> Result<(), BoxError> {
    result.map_err(Into::into)
}

/// Recovers the concrete instance for a fixture's teardown.
#[doc(hidden)]
pub fn downcast<T: 'static>(instance: Box<dyn Any>) -> T {
    match instance.downcast::<T>() {
        Ok(value) => *value,
        Err(_) => unreachable!("fixture stack handed teardown an instance of another type"),
    }
}

/// The `Config::default()` of a fixture, erased, for tests that do not configure it.
#[doc(hidden)]
pub fn default_options<T: Fixture>() -> Box<dyn Any> {
    Box::new(T::Options::default())
}

/// The configuration of a fixture that takes none (`()`), shared by all of them.
#[doc(hidden)]
pub fn no_options() -> Box<dyn Any> {
    Box::new(())
}

/// A configuration a test gives one of its fixtures (`#[with(Type = value)]`).
#[doc(hidden)]
pub type Configs = Vec<(FixtureRef, Box<dyn Any>)>;

/// Pairs a fixture with the configuration a test gives it; typed, so a value of the wrong
/// type is a compile error at the `#[with(Type = value)]`.
#[doc(hidden)]
pub fn options<T: Fixture>(value: T::Options) -> (FixtureRef, Box<dyn Any>) {
    (T::META, Box::new(value))
}

/// For tests that configure no fixture.
#[doc(hidden)]
pub fn no_configs() -> Configs {
    Vec::new()
}

/// Metadata of the stand-in `Fixture` impl the macro emits next to its errors, so one
/// mistake in a fixture does not also make every test using it fail to compile.
#[doc(hidden)]
pub const FALLBACK_META: FixtureRef = FixtureRef::new(&FALLBACK);

static FALLBACK: FixtureMeta = FixtureMeta::DEFAULT;

fn fallback_setup(_: &dyn Dependencies) -> Step<'_, Box<dyn Any>> {
    Step::Ready(Err("this fixture failed to compile".into()))
}

/// What `#[fixture]` registers for each fixture: the registry lists them, and finds the
/// autouse ones.
#[doc(hidden)]
pub struct RegisteredFixture {
    pub fixture: &'static FixtureMeta,
    /// `module_path!()` where the fixture is defined.
    pub module: &'static str,
    pub file: &'static str,
    pub line: u32,
    /// `#[fixture(autouse)]`.
    pub autouse: bool,
    /// `#[fixture(autouse = crate)]`: for every test of the crate that defines it.
    pub crate_wide: bool,
}

inventory::collect!(RegisteredFixture);
