//! The fixtures of one running test: set up in plan order, torn down in reverse.

use std::any::{Any, TypeId};
use std::cell::{Cell, UnsafeCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::fixture::{Configs, Dependencies, Fixture, FixtureMeta, FixtureRef, Step};
use crate::leaf::report::{Cause, Failure, Stage};
use crate::leaf::show::{Phase, Timeline};
use crate::leaf::unwind::{__rust_begin_short_backtrace as short_backtrace, CatchUnwind};

/// The set-up fixtures of one test, one instance per fixture type.
///
/// Setups receive their dependencies from it and the test body its parameters; it owns
/// every instance, so all dependents share the same one.
pub struct FixtureStack {
    entries: Vec<Entry>,
    /// One configuration per fixture of the plan (given or default), filled before any setup:
    /// so it also says which fixtures the test uses.
    configs: Vec<(&'static FixtureMeta, Box<dyn Any>)>,
}

struct Entry {
    meta: &'static FixtureMeta,
    /// The instance's type, read once: finding an entry never touches an instance that the
    /// body may hold `&mut`.
    type_id: TypeId,
    instance: Instance,
    lent: Cell<Lent>,
}

enum Instance {
    /// A per-test fixture: this test's own, torn down after it (`None` once the test took it
    /// by value).
    Owned(UnsafeCell<Option<Box<dyn Any>>>),
    /// A `scope = once` fixture: the process's, torn down at exit.
    Shared(crate::core::fixture::SharedInstance),
}

/// How an instance is lent out: what makes `&mut T` and by-value parameters sound through a
/// shared `&FixtureStack`. Set by `get`/`get_mut`/`take`, reset (`Free`) only where the stack
/// is borrowed mutably, so no reference handed out before can still be alive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lent {
    Free,
    Shared,
    Mut,
    Taken,
}

impl std::fmt::Debug for FixtureStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.entries.iter().map(|entry| entry.meta.name)).finish()
    }
}

impl FixtureStack {
    /// An empty stack with the configurations a test gave (`#[with(Type = value)]`).
    pub(crate) fn new(plan_len: usize, given: Configs) -> Self {
        let mut configs = Vec::with_capacity(plan_len);
        configs.extend(given.into_iter().map(|(fixture, config)| (fixture.get(), config)));
        FixtureStack { entries: Vec::with_capacity(plan_len), configs }
    }

    /// Whether this test's plan has fixture `T`, set up yet or not.
    pub fn plans<T: Fixture>(&self) -> bool {
        (self as &dyn Dependencies).plans::<T>()
    }

    /// The instance of fixture `T` in this test (see [`Dependencies`]); the test has it
    /// shared, unless it takes it `&mut T` or by value, which the compile-time checks allow
    /// only when nothing else names `T`.
    pub fn get<T: 'static>(&self) -> &T {
        (self as &dyn Dependencies).get::<T>()
    }

    /// The configuration of fixture `T` in this test: what the test gave with
    /// `#[with(T = value)]`, or `T::Options::default()`.
    pub fn options<T: Fixture>(&self) -> &T::Options {
        (self as &dyn Dependencies).options::<T>()
    }

    /// Fixture `T` of this test, exclusively: a test parameter `&mut T`.
    ///
    /// # Panics
    /// If `T` is lent already (named twice), or is a `scope = once` fixture, which every
    /// test of the process shares; the compile-time checks reject both.
    // `&mut` from `&self`: sound because `lend` hands each instance out exclusively once.
    #[allow(clippy::mut_from_ref)]
    pub fn get_mut<T: 'static>(&self) -> &mut T {
        let cell = self.lend::<T>(Lent::Mut).owned();
        // SAFETY: `lend` found it free and marked it lent mutably: no other reference to it
        // is alive, and none is handed out until the stack is next borrowed mutably.
        let instance = unsafe { &mut *cell.get() };
        instance
            .as_deref_mut()
            .and_then(<dyn Any>::downcast_mut)
            .unwrap_or_else(|| crate::core::fixture::not_set_up(std::any::type_name::<T>()))
    }

    /// Fixture `T` of this test, moved out of the stack: a test parameter `T` of a fixture
    /// marked `#[fixture(by_value)]`. Its teardown is skipped; the test's drop is its end.
    ///
    /// # Panics
    /// As [`FixtureStack::get_mut`].
    pub fn take<T: 'static>(&self) -> T {
        let cell = self.lend::<T>(Lent::Taken).owned();
        // SAFETY: as in `get_mut`; after this, `lend` refuses every other use of the entry.
        let instance = unsafe { &mut *cell.get() }.take();
        match instance.map(<Box<dyn Any>>::downcast::<T>) {
            Some(Ok(instance)) => *instance,
            _ => crate::core::fixture::not_set_up(std::any::type_name::<T>()),
        }
    }

    /// The entry of `T`, marked lent as `how` if that is compatible with how it is lent now.
    fn lend<T: 'static>(&self, how: Lent) -> &Entry {
        self.lend_by_id(TypeId::of::<T>(), how)
            .unwrap_or_else(|| crate::core::fixture::not_set_up(std::any::type_name::<T>()))
    }

    fn lend_by_id(&self, wanted: TypeId, how: Lent) -> Option<&Entry> {
        let entry = self.entries.iter().find(|entry| entry.type_id == wanted)?;
        match (entry.lent.get(), how) {
            (Lent::Free, _) | (Lent::Shared, Lent::Shared) => entry.lent.set(how),
            (now, _) => panic!(
                "fixture `{}` is lent {} already: a test takes a fixture once as `&mut T` or by value, and then \
                 nothing else may name it",
                entry.meta.name,
                match now {
                    Lent::Mut => "as `&mut`",
                    Lent::Taken => "by value",
                    _ => "shared",
                }
            ),
        }
        Some(entry)
    }

    /// Sets up every fixture of `plan` in order; stops at the first failure, leaving what
    /// was set up on the stack for [`FixtureStack::tear_down`].
    pub(crate) async fn set_up(&mut self, plan: &[FixtureRef], show: &mut Timeline) -> Result<(), Failure> {
        // Two spellings may configure one fixture (`#[with(Cells = ..)]` and `#[with_cells]`):
        // the macro compares spellings, this the fixtures themselves.
        let given = &self.configs;
        let twice = given
            .iter()
            .enumerate()
            .find(|(at, (meta, _))| given[..*at].iter().any(|(seen, _)| std::ptr::eq(*seen, *meta)));
        if let Some((_, (meta, _))) = twice {
            let message = format!(
                "fixture `{}` is given options twice in this test, by `#[with({0} = ..)]` and by an attribute that stands \
                 for it: give them once",
                meta.name
            );
            return Err(Failure::new(Stage::Setup(meta.name), Cause::Error(message.into())));
        }
        for fixture in plan {
            let meta = fixture.get();
            if !self.configs.iter().any(|(owner, _)| std::ptr::eq(*owner, meta)) {
                self.configs.push((meta, (meta.default_options)()));
            }
            // Before any setup, so what a fixture begins ahead (a server's start) overlaps the
            // setups of the fixtures planned before it.
            if let (Some(prepare), Some(options)) = (meta.prepare, self.configuration(meta)) {
                prepare(options);
            }
        }
        for fixture in plan {
            let meta = fixture.get();
            crate::core::scope::Scope::with_current(|scope| {
                scope.map(|scope| scope.set_stage(Stage::Setup(meta.name)))
            });
            let started = show.start();
            let result = match meta.once {
                None => {
                    self.run_setup(meta).await.map(|instance| (Instance::Owned(UnsafeCell::new(Some(instance))), None))
                }
                Some(shared) => (shared.obtain)(meta, shared, Box::pin(self.run_setup(meta)))
                    .await
                    .map(|(instance, origin)| (Instance::Shared(instance), Some(origin))),
            };
            let origin = result.as_ref().ok().and_then(|(_, origin)| origin.clone());
            show.record_from(Phase::Setup, meta.name, started, result.is_ok(), origin);
            match result {
                Ok((instance, _)) => self.entries.push(Entry::new(meta, instance)),
                Err(cause) => return Err(Failure::new(Stage::Setup(meta.name), cause)),
            }
        }
        // The setups' borrows ended with them (this is `&mut self`): the body may now take
        // what it names exclusively.
        for entry in &mut self.entries {
            *entry.lent.get_mut() = Lent::Free;
        }
        Ok(())
    }

    async fn run_setup(&self, meta: &'static FixtureMeta) -> Result<Box<dyn Any>, Cause> {
        match catch_unwind(AssertUnwindSafe(|| short_backtrace(|| (meta.setup)(self as &dyn Dependencies)))) {
            Err(payload) => Err(Cause::Panic(payload)),
            Ok(step) => settle(step).await,
        }
    }

    /// Tears down everything on the stack, last set up first. Every teardown runs, whatever
    /// the others did; the failures are added in the order they happened (as they happen, so
    /// a timeout that cancels this keeps those before it).
    pub(crate) async fn tear_down(&mut self, show: &mut Timeline, failures: &mut Vec<Failure>) {
        while let Some(Entry { meta, instance, .. }) = self.entries.pop() {
            // The process's, not this test's: torn down at exit; or the test took it by value.
            let Instance::Owned(instance) = instance else { continue };
            let Some(instance) = instance.into_inner() else { continue };
            crate::core::scope::Scope::with_current(|scope| {
                scope.map(|scope| scope.set_stage(Stage::Teardown(meta.name)))
            });
            let started = show.start();
            let result = tear_down_instance(meta, instance).await;
            show.record(Phase::Teardown, meta.name, started, result.is_ok());
            if let Err(cause) = result {
                // The fixtures still to be torn down (those it required) see the test failed,
                // so `Cells` keeps the databases a failing check was looking at.
                crate::core::scope::Scope::with_current(|scope| scope.map(|scope| scope.mark_failed()));
                failures.push(Failure::new(Stage::Teardown(meta.name), cause));
            }
        }
    }
}

impl Dependencies for FixtureStack {
    fn instance(&self, ty: TypeId) -> Option<&dyn Any> {
        let entry = self.lend_by_id(ty, Lent::Shared)?;
        match &entry.instance {
            // SAFETY: as in `get`: `lend_by_id` allowed a shared borrow.
            Instance::Owned(cell) => unsafe { &*cell.get() }.as_deref(),
            Instance::Shared(instance) => Some(&**instance as &dyn Any),
        }
    }

    fn configuration(&self, fixture: &'static FixtureMeta) -> Option<&dyn Any> {
        self.configs.iter().find(|(owner, _)| std::ptr::eq(*owner, fixture)).map(|(_, config)| &**config)
    }

    fn has_planned(&self, fixture: &'static FixtureMeta) -> bool {
        self.configs.iter().any(|(planned, _)| std::ptr::eq(*planned, fixture))
    }
}

impl Entry {
    /// The test's own instance, which `&mut T` and by-value parameters need.
    ///
    /// # Panics
    /// For a `scope = once` fixture, which every test of the process shares.
    fn owned(&self) -> &UnsafeCell<Option<Box<dyn Any>>> {
        match &self.instance {
            Instance::Owned(cell) => cell,
            Instance::Shared(_) => {
                panic!("fixture `{}` is shared by every test (`scope = once`): take `&{0}`", self.meta.name)
            }
        }
    }

    fn new(meta: &'static FixtureMeta, instance: Instance) -> Self {
        let type_id = match &instance {
            // SAFETY: just made; nothing else can reach it.
            Instance::Owned(cell) => unsafe { &*cell.get() }.as_deref().map_or(TypeId::of::<()>(), Any::type_id),
            Instance::Shared(instance) => (**instance).type_id(),
        };
        Entry { meta, type_id, instance, lent: Cell::new(Lent::Free) }
    }
}

/// Tears down one instance of `meta`: its `teardown`, or, without one, a drop in its place in
/// the order; a panic is the teardown's failure.
pub(crate) async fn tear_down_instance(meta: &'static FixtureMeta, instance: Box<dyn Any>) -> Result<(), Cause> {
    match meta.teardown {
        None => catch_unwind(AssertUnwindSafe(move || drop(instance))).map_err(Cause::Panic),
        Some(teardown) => match catch_unwind(AssertUnwindSafe(move || short_backtrace(move || teardown(instance)))) {
            Err(payload) => Err(Cause::Panic(payload)),
            Ok(step) => settle(step).await,
        },
    }
}

/// Drives a setup or teardown step to its result, catching panics in async ones.
async fn settle<T>(step: Step<'_, T>) -> Result<T, Cause> {
    match step {
        Step::Ready(result) => result.map_err(Cause::Error),
        Step::Pending(future) => match CatchUnwind::new(future).await {
            Err(payload) => Err(Cause::Panic(payload)),
            Ok(result) => result.map_err(Cause::Error),
        },
    }
}

/// A fixture a test may take by value (`fn t(conn: Connection)`), moving it out of the
/// stack: `#[fixture(by_value)]` implements it. Its teardown is then skipped; the test
/// owns the value and drops it (or hands it on) itself.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is taken by value, but no fixture function of the parameter's name is in scope, and \
               `{Self}` is not a fixture marked `#[fixture(by_value)]`",
    label = "taken by value",
    note = "a parameter taken by value, `name: T`, is the value of the fixture function `name` (rstest's \
            injection by name): define `#[fixture] fn name() -> T` or `use` it from where it is defined",
    note = "or it is fixture `T` moved out of the test's stack, which `#[fixture(by_value)]` on `T` allows \
            (its teardown is then skipped); to share the fixture, take it by reference: `name: &{Self}`",
    note = "a case value is marked `#[case]` or has `#[values(..)]`"
)]
pub trait ByValue: crate::core::fixture::Fixture {
    /// The value a by-value parameter gets: the stack's instance, moved out (its teardown
    /// skipped), or, for `#[fixture(by_value = clone)]`, a clone of it.
    fn take_from(stack: &FixtureStack) -> Self {
        stack.take()
    }
}
