//! The fixtures of one running test: set up in plan order, torn down in reverse.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::fixture::{Configs, Fixture, FixtureMeta, FixtureRef, Step};
use crate::report::{Cause, Failure, Stage};
use crate::show::{Phase, Show};
use crate::unwind::CatchUnwind;

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
    instance: Instance,
}

enum Instance {
    /// A per-test fixture: this test's own, torn down after it.
    Owned(Box<dyn Any>),
    /// A `scope = once` fixture: the process's, torn down at exit.
    Shared(crate::fixture::SharedInstance),
}

impl Instance {
    fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        match self {
            Instance::Owned(instance) => instance.downcast_ref(),
            Instance::Shared(instance) => instance.downcast_ref(),
        }
    }
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

    /// Whether this test's plan has fixture `T`, set up yet or not: a fixture whose setup
    /// depends on what the test asks for (a database's backend on its typed pools) reads it.
    pub fn plans<T: Fixture>(&self) -> bool {
        let meta = T::META.get();
        self.configs.iter().any(|(planned, _)| std::ptr::eq(*planned, meta))
    }

    /// The instance of fixture `T` in this test.
    ///
    /// # Panics
    /// If `T` is not set up yet; the compile-time plan sets up every dependency before its
    /// dependents, so generated code never hits this.
    // No `T: Fixture` bound: the plan already requires it, and a second bound here would
    // repeat the "not a fixture" error for every parameter.
    pub fn get<T: 'static>(&self) -> &T {
        match self.entries.iter().find_map(|entry| entry.instance.downcast_ref::<T>()) {
            Some(instance) => instance,
            None => panic!("fixture `{}` is not set up in this test's stack", std::any::type_name::<T>()),
        }
    }

    /// The configuration of fixture `T` in this test: what the test gave with
    /// `#[with(T = value)]`, or `T::Config::default()`.
    pub fn config<T: Fixture>(&self) -> &T::Config {
        let meta = T::META.get();
        let found = self.configs.iter().find(|(owner, _)| std::ptr::eq(*owner, meta));
        match found.and_then(|(_, config)| config.downcast_ref::<T::Config>()) {
            Some(config) => config,
            None => panic!("fixture `{}` has no configuration in this test's stack", meta.name),
        }
    }

    /// Sets up every fixture of `plan` in order; stops at the first failure, leaving what
    /// was set up on the stack for [`FixtureStack::tear_down`].
    pub(crate) async fn set_up(&mut self, plan: &[FixtureRef], show: &mut Show) -> Result<(), Failure> {
        for fixture in plan {
            let meta = fixture.get();
            if !self.configs.iter().any(|(owner, _)| std::ptr::eq(*owner, meta)) {
                self.configs.push((meta, (meta.default_config)()));
            }
        }
        for fixture in plan {
            let meta = fixture.get();
            crate::scope::Scope::with_current(|scope| scope.map(|scope| scope.set_stage(Stage::Setup(meta.name))));
            let started = show.start();
            let result = match meta.once {
                None => self.run_setup(meta).await.map(Instance::Owned),
                Some(shared) => crate::once::instance(meta, shared, self.run_setup(meta)).await.map(Instance::Shared),
            };
            show.record(Phase::Setup, meta.name, started, result.is_ok());
            match result {
                Ok(instance) => self.entries.push(Entry { meta, instance }),
                Err(cause) => return Err(Failure::new(Stage::Setup(meta.name), cause)),
            }
        }
        Ok(())
    }

    async fn run_setup(&self, meta: &'static FixtureMeta) -> Result<Box<dyn Any>, Cause> {
        match catch_unwind(AssertUnwindSafe(|| (meta.setup)(self))) {
            Err(payload) => Err(Cause::Panic(payload)),
            Ok(step) => settle(step).await,
        }
    }

    /// Tears down everything on the stack, last set up first. Every teardown runs, whatever
    /// the others did; the failures are added in the order they happened (as they happen, so
    /// a timeout that cancels this keeps those before it).
    pub(crate) async fn tear_down(&mut self, show: &mut Show, failures: &mut Vec<Failure>) {
        while let Some(Entry { meta, instance }) = self.entries.pop() {
            // The process's, not this test's: torn down at exit.
            let Instance::Owned(instance) = instance else { continue };
            crate::scope::Scope::with_current(|scope| scope.map(|scope| scope.set_stage(Stage::Teardown(meta.name))));
            let started = show.start();
            let result = match meta.teardown {
                // A fixture without `teardown` is dropped here, in its place in the order.
                None => catch_unwind(AssertUnwindSafe(move || drop(instance))).map_err(Cause::Panic),
                Some(teardown) => match catch_unwind(AssertUnwindSafe(move || teardown(instance))) {
                    Err(payload) => Err(Cause::Panic(payload)),
                    Ok(step) => settle(step).await,
                },
            };
            show.record(Phase::Teardown, meta.name, started, result.is_ok());
            if let Err(cause) = result {
                // The fixtures still to be torn down (those it required) see the test failed,
                // so `Cells` keeps the databases a failing check was looking at.
                crate::scope::Scope::with_current(|scope| scope.map(|scope| scope.mark_failed()));
                failures.push(Failure::new(Stage::Teardown(meta.name), cause));
            }
        }
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
