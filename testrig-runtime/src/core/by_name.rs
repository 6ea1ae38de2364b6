//! Injection by name, rstest's: a test parameter `graph: G` is a value of the fixture
//! *function* `graph`, called for that parameter (a fresh value each time, as rstest does);
//! the function's own by-value parameters are other fixture functions by name, its `&T`
//! parameters fixtures of the test's stack.
//!
//! `#[fixture] fn graph(..)` defines, beside the function, a type of the same name (`graph`,
//! in the type namespace, so `use fixtures::graph` brings both): [`Named`], and a fixture
//! that sets up nothing but depends on what the function takes by reference, so a test
//! plans those. The test finds it by the parameter's name. Where the name finds nothing,
//! a stand-in the macro names answers: [`TakenStandIn`], the fixture of the parameter's type
//! taken by value (`#[fixture(by_value)]`), or [`MissingStandIn`], a compile error at the
//! parameter ([`NoFixtureNamed`]).

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::core::fixture::{Dependencies, Fixture, FixtureMeta, FixtureRef, Step};
use crate::core::stack::{ByValue, FixtureStack};

/// What a name found: a fixture function's type, or the macro's stand-in. `T` is the
/// parameter's type, given where the plan is made rather than written in the stand-in, where
/// a type with an elided lifetime (`setup: Fixture`, of `struct Fixture<'a>`) could not be.
#[doc(hidden)]
pub trait Named<T> {
    /// The fixture the test's plan gets for the parameter. Not bound here: the stand-in for a
    /// name that finds a fixture function is compiled too, and its type need not be one.
    type Root;
    /// Whether the parameter moves `Root` out of the stack (the stand-in taking a
    /// `#[fixture(by_value)]`), which no other parameter may then use.
    const TAKES: bool;
}

/// Carries what a name found out of the block the macro looked it up in: `Marker` is the
/// function's type or the stand-in, named there and read at the test's plan.
#[doc(hidden)]
pub trait Resolved {
    type Marker;
}

/// The metadata of what a parameter's name found, for the plan.
#[doc(hidden)]
pub const fn root_meta<P: Resolved, T>() -> FixtureRef
where
    P::Marker: Named<T>,
    <P::Marker as Named<T>>::Root: Fixture,
{
    <<P::Marker as Named<T>>::Root as Fixture>::META
}

/// What a by-name parameter takes out of the stack, for the test's list of fixtures no
/// autouse fixture may need: the `#[fixture(by_value)]` type its stand-in takes, or nothing.
#[doc(hidden)]
pub const fn taken_meta<P: Resolved, T>() -> FixtureRef
where
    P::Marker: Named<T>,
    <P::Marker as Named<T>>::Root: Fixture,
{
    let meta = <<P::Marker as Named<T>>::Root as Fixture>::META;
    if <P::Marker as Named<T>>::TAKES && !meta.get().cloned_by_value {
        meta
    } else {
        NoFixture::META
    }
}

/// Moves fixture `T` out of the test's stack: the stand-in of a by-value parameter whose
/// name finds no fixture function (`T` must be a `#[fixture(by_value)]`).
#[doc(hidden)]
pub trait TakeFrom<T> {
    fn take_from(&self) -> T;
}

impl<T: ByValue> TakeFrom<T> for FixtureStack {
    fn take_from(&self) -> T {
        T::take_from(self)
    }
}

/// What a by-value parameter's name stands for when it finds no fixture function: its type,
/// a `#[fixture(by_value)]`, moved out of the test's stack.
#[doc(hidden)]
pub struct TakenStandIn;

impl<T> Named<T> for TakenStandIn {
    type Root = T;
    const TAKES: bool = true;
}

impl TakenStandIn {
    /// The value's type is inferred at the call, from the parameter it is handed to.
    pub fn __testrig_get<S: ?Sized + TakeFrom<V>, V>(stack: &S) -> std::future::Ready<V> {
        std::future::ready(stack.take_from())
    }
}

/// What a name stands for when it finds no fixture function and no fixture type could:
/// calling it is the compile error, at the parameter.
#[doc(hidden)]
pub struct MissingStandIn;

impl<T> Named<T> for MissingStandIn {
    type Root = NoFixture;
    const TAKES: bool = false;
}

/// The stand-in's call requires this of the test's stack, which no type implements: the
/// error is reported at the parameter, only where the stand-in is what its name found.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "no fixture function of this parameter's name is in scope",
    label = "no `#[fixture] fn` of this name here",
    note = "a parameter taken by value, `name: T` (or `name: &T` of a type no fixture can be), is the value \
            of the fixture function `name` (rstest's injection by name): define `#[fixture] fn name() -> T` or \
            `use` it from where it is defined; `#[from(path::to::fixture)]` names another one",
    note = "a case value is marked `#[case]` (or has `#[values(..)]`); a fixture of the test's stack is \
            taken by reference: `name: &T` where `T` has `#[fixture]`"
)]
pub trait NoFixtureNamed {}

macro_rules! missing_partials {
    ($($partial:ident($($arg:ident)*);)*) => {
        impl MissingStandIn {
            pub fn __testrig_get<S: ?Sized + NoFixtureNamed, V>(_: &S) -> std::future::Ready<V> {
                unreachable!("no type implements `NoFixtureNamed`")
            }
            $(
                #[allow(clippy::too_many_arguments)]
                pub fn $partial<S: ?Sized + NoFixtureNamed, V, $($arg),*>(_: &S, $(_: $arg),*) -> std::future::Ready<V> {
                    unreachable!("no type implements `NoFixtureNamed`")
                }
            )*
        }
    };
}

missing_partials! {
    __testrig_partial_1(A);
    __testrig_partial_2(A B);
    __testrig_partial_3(A B C);
    __testrig_partial_4(A B C D);
    __testrig_partial_5(A B C D E);
    __testrig_partial_6(A B C D E F);
    __testrig_partial_7(A B C D E F G);
    __testrig_partial_8(A B C D E F G H);
}

/// A fixture that sets up nothing: the plan's entry for a name that found nothing (its
/// error is reported at the parameter already).
#[doc(hidden)]
pub struct NoFixture;

static NO_FIXTURE: FixtureMeta = FixtureMeta {
    name: "<no fixture>",
    id: "testrig::NoFixture",
    setup: marker_setup::<NoFixture>,
    ..FixtureMeta::DEFAULT
};

impl Fixture for NoFixture {
    type Options = ();
    const META: FixtureRef = FixtureRef::new(&NO_FIXTURE);
}

/// The setup of a fixture function's type in the plan: nothing to build (the function is
/// called for each parameter that names it), only the plan's place for what it depends on.
#[doc(hidden)]
pub fn marker_setup<M: 'static>(_: &dyn Dependencies) -> Step<'_, Box<dyn Any>> {
    Step::Ready(Ok(Box::new(PhantomData::<M>)))
}

/// The value of fixture function `fixture` for a sync test or a sync fixture: its future
/// (every fixture function's value is one, so one call shape serves both) polled once.
///
/// # Panics
/// If it is not ready at once: the function is `async` and waits for something, which only
/// an `async` test can wait for.
#[doc(hidden)]
#[track_caller]
pub fn now<F: Future>(future: F, fixture: &str) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!(
            "fixture function `{fixture}` is async and waits: a sync test cannot wait for it; \
             make the test an `async fn` (its value is then awaited for it)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_future_is_its_value() {
        assert_eq!(now(async { 7 }, "seven"), 7);
    }

    #[test]
    #[should_panic(expected = "fixture function `waits` is async and waits")]
    fn a_waiting_one_names_the_fixture() {
        now(std::future::pending::<()>(), "waits");
    }
}
