//! What a test is to the run: the data `#[testrig::test]` emits for one test (its plan, its
//! body, what its attributes do once it starts, its runtime), and the shared bodies that let
//! many tests of one signature share a shim. [`crate::core::run`] runs it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::core::fixture::{Configs, FixtureRef};
use crate::core::scope::Scope;
use crate::core::stack::FixtureStack;
use crate::leaf::outcome::Outcome;

/// What a test's attribute does once the test's scope is entered, before any fixture is set
/// up (`#[env]` sets its variables, `#[conf]` installs its overrides, `#[poison_db]` poisons
/// the scope): generated per test, run in order, each holding what it returns until after
/// the last teardown (`#[env]`'s variables are restored then). The core runs them without
/// knowing which they are.
#[doc(hidden)]
pub type OnEnter = fn() -> Held;

/// What an [`OnEnter`] hook holds for the whole test, if anything.
#[doc(hidden)]
pub type Held = Option<Box<dyn std::any::Any>>;

/// Everything `#[testrig::test]` knows about one test. The macro emits this as data and one
/// call to [`run`]; the logic lives here, compiled once.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Test {
    /// `module::path::test_name`.
    pub name: &'static str,
    /// The setup order, computed at compile time.
    pub plan: &'static [FixtureRef],
    /// Configurations the test gives its fixtures (`#[with(Type = value)]`).
    pub configs: fn() -> Configs,
    pub body: Body,
    pub flavor: Flavor,
    /// What the test's attributes do once its scope is entered, in order (see [`OnEnter`]).
    pub on_enter: &'static [OnEnter],
    /// `#[timeout(..)]`: how long setup and body may take, and then the teardowns.
    pub timeout: Option<Duration>,
    /// `#[testrig::test(allow_leaks)]`: tasks and threads still running after teardown are
    /// not a failure.
    pub allow_leaks: bool,
    /// `false` for `#[testrig::test(no_autouse)]`: no autouse fixture applies.
    pub autouse: bool,
    /// Which case of a parametrized test this is: the generated code reads its values from
    /// it with [`case_index`].
    pub case: usize,
    /// `#[should_panic]`: its panic is the outcome it expects, not a failure.
    pub expects_panic: bool,
    /// A case of a parametrized test: its test function's name, after which its own name
    /// names the case (`sized::case_1_small`, `grid::x_1_1::y_2_20`).
    pub parametrized: Option<&'static str>,
    /// The fixtures the test takes `&mut` or by value: no autouse fixture may require them
    /// (the compile-time check saw only the test's own plan).
    pub exclusive: &'static [FixtureRef],
}

/// A case value written as a string literal for a parameter of type `T`: parsed, or the test
/// fails saying which value and why.
#[doc(hidden)]
#[track_caller]
pub fn parse_case<T: std::str::FromStr>(text: &'static str) -> T
where
    T::Err: std::fmt::Debug,
{
    match text.parse() {
        Ok(value) => value,
        Err(error) => panic!("case value {text:?} is not a valid `{}`: {error:?}", std::any::type_name::<T>()),
    }
}

/// A `#[files(..)]` case value: the file's path as the parameter's type (`PathBuf`,
/// `String`, `&'static str`).
#[doc(hidden)]
pub fn case_file<T: From<&'static str>>(path: &'static str) -> T {
    T::from(path)
}

/// The running test, as rstest's `#[context]` parameter tells it: `ctx: Context` (the
/// prelude's name for it) in a test's parameters.
///
/// ```
/// use testrig::prelude::*;
///
/// #[testrig::test]
/// #[case::small(1)]
/// #[case(2)]
/// fn knows_its_case(#[case] n: u32, #[context] ctx: Context) {
///     assert_eq!(ctx.name, "knows_its_case");
///     assert_eq!(ctx.case, Some(n as usize - 1));
///     assert_eq!(ctx.description, if n == 1 { Some("small") } else { None });
/// }
/// # fn main() { knows_its_case::case_1_small(); knows_its_case::case_2(); }
/// ```
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct TestContext {
    /// The module of the test's cases (`tests::knows_its_case`), or of the test.
    pub module: &'static str,
    /// The test function's name.
    pub name: &'static str,
    /// The running case's name: `small` of `#[case::small(..)]`.
    pub description: Option<&'static str>,
    /// The running case's row, from 0; `None` in a test without `#[case]` rows.
    pub case: Option<usize>,
    /// When the test's body was about to start.
    pub start: std::time::Instant,
}

/// The [`TestContext`] of the running test: `rows` are its `#[case]` rows' names, each row
/// `per_row` cases (its `#[values]` combinations).
#[doc(hidden)]
pub fn context(
    module: &'static str,
    name: &'static str,
    rows: &'static [Option<&'static str>],
    per_row: usize,
) -> TestContext {
    let row = (!rows.is_empty()).then(|| case_index() / per_row.max(1));
    TestContext {
        module,
        name,
        description: row.and_then(|row| rows.get(row).copied().flatten()),
        case: row,
        start: std::time::Instant::now(),
    }
}

/// The case of the running parametrized test (see [`Test::case`]).
#[doc(hidden)]
pub fn case_index() -> usize {
    Scope::with_current(|scope| scope.map_or(0, Scope::case))
}

impl Test {
    /// The fields a test that uses no attribute beyond `#[testrig::test]` leaves as they are;
    /// generated code writes `..Test::DEFAULT` so new attributes don't grow every expansion.
    pub const DEFAULT: Test = Test {
        name: "",
        plan: &[],
        configs: crate::core::fixture::no_configs,
        body: Body::Sync(|_| Ok(())),
        flavor: Flavor::CurrentThread,
        on_enter: &[],
        timeout: None,
        allow_leaks: false,
        autouse: true,
        case: 0,
        expects_panic: false,
        parametrized: None,
        exclusive: &[],
    };
}

#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Body {
    Sync(fn(&FixtureStack) -> Outcome),
    Async(for<'a> fn(&'a FixtureStack) -> BodyFuture<'a>),
    /// The user's function itself and a shim shared by every test of its signature (see
    /// [`shared_body`]): no body function per test for the compiler to generate.
    Shared {
        call: fn(UserFn, &FixtureStack) -> Outcome,
        user: UserFn,
    },
}

impl Body {
    /// Runs a sync body.
    pub(crate) fn call_sync(&self, stack: &FixtureStack) -> Outcome {
        match self {
            Body::Sync(body) => body(stack),
            Body::Shared { call, user } => call(*user, stack),
            Body::Async(_) => unreachable!("an async body is run on its runtime"),
        }
    }
}

/// A test's own function, type-erased for [`Body::Shared`]; only its shim, made together
/// with it, turns it back into its type.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct UserFn(pub(crate) *const ());

// SAFETY: it is a function pointer (code, not data), only called through its shim.
unsafe impl Send for UserFn {}
// SAFETY: as above.
unsafe impl Sync for UserFn {}

/// `shared_body_2::<A, B, R>(t)`: the plan and body of a sync test `fn t(a: &A, b: &B) -> R`
/// whose parameters are all fixtures and its only roots: the plan walked once per tuple of
/// root types ([`crate::core::plan::Roots`]) and one shim per signature, instead of a plan and a
/// body function per test (the compiler's cost per test, benches/compare_build.sh). One
/// generic call, so a parameter that is no fixture is one error.
macro_rules! shared_bodies {
    (run: $run_test:path; $($name:ident $run:ident($($fixture:ident)*);)*) => {$(
        /// Runs such a test that sets nothing else (no timeout, conf, env, ..): the whole
        /// wrapper is this one call. Its failure points at the test, as [`run`]'s does.
        #[doc(hidden)]
        #[track_caller]
        pub fn $run<$($fixture: crate::core::fixture::Fixture,)* R: crate::leaf::outcome::TestOutcome>(
            name: &'static str,
            user: fn($(&$fixture),*) -> R,
        ) {
            let (plan, body) = $name(user);
            $run_test($crate::core::test::Test { name, plan, body, ..$crate::core::test::Test::DEFAULT })
        }

        #[doc(hidden)]
        pub fn $name<$($fixture: crate::core::fixture::Fixture,)* R: crate::leaf::outcome::TestOutcome>(
            user: fn($(&$fixture),*) -> R,
        ) -> (&'static [$crate::core::fixture::FixtureRef], $crate::core::test::Body) {
            fn call<$($fixture: crate::core::fixture::Fixture,)* R: crate::leaf::outcome::TestOutcome>(
                user: $crate::core::test::UserFn,
                stack: &$crate::core::stack::FixtureStack,
            ) -> $crate::leaf::outcome::Outcome {
                // SAFETY: `user` was made below from a `fn($(&$fixture),*) -> R` of these
                // same types, and only this shim, paired with it there, reads it.
                let user = unsafe { std::mem::transmute::<*const (), fn($(&$fixture),*) -> R>(user.0) };
                let _ = stack; // a test without fixtures reads none
                crate::leaf::outcome::TestOutcome::into_outcome(user($(stack.get::<$fixture>()),*))
            }
            let plan = <($($fixture,)*) as crate::core::plan::Roots>::PLAN;
            (plan, $crate::core::test::Body::Shared { call: call::<$($fixture,)* R>, user: $crate::core::test::UserFn(user as *const ()) })
        }
    )*};
}

pub(crate) use shared_bodies;

/// The future of an async test body, boxed so the runtime is compiled once for all tests.
#[doc(hidden)]
pub type BodyFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// The tokio runtime an async test runs on.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    CurrentThread,
    /// `start_paused = true`: current-thread, its clock paused (the `start-paused` feature).
    CurrentThreadPaused,
    MultiThread {
        worker_threads: Option<usize>,
    },
}
