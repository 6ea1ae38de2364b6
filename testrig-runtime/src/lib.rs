//! Runtime of the [`testrig`](https://docs.rs/testrig) test-fixture framework.
//!
//! Users depend on `testrig`, which re-exports what is public here; the items marked
//! `#[doc(hidden)]` are what the macros' generated code calls through `testrig::__private`
//! and are not a stable API.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

#[cfg(all(feature = "db", not(any(feature = "sqlite", feature = "postgres"))))]
compile_error!("testrig's database support needs a backend: add the `sqlite` or `postgres` feature");
#[cfg(all(feature = "db", not(any(feature = "sqlx-0_9", feature = "sqlx-0_8"))))]
compile_error!(
    "testrig's database support needs a sqlx version: add the `sqlite-0_9` or `sqlite-0_8` feature (or `postgres-..`)"
);
#[cfg(all(feature = "sqlx-0_8-spelled-alone", not(all(feature = "sqlx-0_8", not(feature = "sqlx-0_9")))))]
compile_error!(
    "testrig's sqlx 0.8 features name their backend: write `sqlx-0_8-sqlite`, `sqlx-0_8-postgres`, \
     `sqlx-0_8-tls` or `sqlx-0_8-any` instead of `sqlx-0_8` beside `sqlite`/`postgres`/`tls`/`any` \
     (cargo features only add, so `sqlx-0_8` cannot switch `sqlite` from sqlx 0.9 to 0.8)"
);
#[cfg(all(feature = "sqlx-0_9", feature = "sqlx-0_8", not(feature = "sqlx-0_8-spelled-alone")))]
compile_error!(
    "testrig was built for sqlx 0.9 and sqlx 0.8 at once: choose the one your app uses, either \
     `sqlite`/`postgres`/`tls`/`any` (sqlx 0.9) or `sqlx-0_8-sqlite`/`sqlx-0_8-postgres`/`sqlx-0_8-tls`/`sqlx-0_8-any`"
);
// One name for the chosen sqlx, so the database code is written once for both versions;
// what differs between them is in `db::sql`.
#[cfg(all(feature = "sqlx-0_8", not(feature = "sqlx-0_9")))]
extern crate sqlx08 as sqlx;

// Three layers, each naming only the ones before it: `leaf` (what a failure is), `core` (a
// fixture, the plan, the stack, the scope, the run; no feature), `features` (what plugs in).
// `.ci/import_graph.py --layers` checks the order.
mod core;
mod features;
mod leaf;

pub use crate::core::{plan, registry};

// The features as the core calls them, without knowing which they are: the crate root is
// where they are plugged in, and hands them to every run.
static PLUGGED: crate::core::run::Plugged = crate::core::run::Plugged {
    after_teardown: &[crate::features::leaks::after_teardown],
    after_teardown_async: &[
        #[cfg(feature = "async")]
        crate::features::leaks::after_teardown_async,
    ],
    case_hooks: &[
        #[cfg(feature = "insta")]
        crate::features::snapshot_names::for_case,
    ],
    #[cfg(feature = "run")]
    other_role: Some(crate::features::run_scope::serve_if_keeper),
    #[cfg(not(feature = "run"))]
    other_role: None,
    #[cfg(feature = "async")]
    executor: Some(&crate::features::tokio_runtime::Tokio),
    #[cfg(not(feature = "async"))]
    executor: None,
};

#[cfg(feature = "db")]
pub use crate::features::db;
#[cfg(feature = "logs")]
pub use crate::features::logs;
#[cfg(feature = "async")]
pub use crate::features::service;

pub use crate::core::fixture::{BoxError, Fixture};
pub use crate::core::scope::{Scope, ScopeGuard};
pub use crate::core::stack::FixtureStack;
pub use crate::core::test::TestContext;
pub use crate::features::conf::{Conf, ConfGuard};
pub use crate::features::context::{Context, InContext};
#[cfg(feature = "async")]
pub use crate::features::spawn::spawn;
pub use crate::features::spawn::{thread, Scoped};
pub use crate::features::temp_dir::TempDir;
#[cfg(feature = "async")]
pub use crate::features::wait::wait_for_async;
pub use crate::features::wait::{wait_for, Observation};
pub use crate::leaf::outcome::TestOutcome;

/// Items the macros' generated code uses. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::core::by_name::{
        marker_setup, now, root_meta, taken_meta, MissingStandIn, Named, NoFixture, NoFixtureNamed, Resolved, TakeFrom,
        TakenStandIn,
    };
    pub use crate::core::fixture::{
        default_options, downcast, no_configs, no_options, options, setup_output, setup_value, teardown_output, Claims,
        Configs, Dependencies, FixtureMeta, FixtureRef, Refusal, RegisteredFixture, Shared, Step, FALLBACK_META,
    };
    pub use crate::core::plan::{
        check_acyclic, check_exclusive, check_once_requirements, check_refusal, check_taken, plan, plan_len, walked,
        Roots, Walked,
    };
    pub use crate::core::test::{case_file, case_index, context, parse_case, Body, BodyFuture, Flavor, Test};
    pub use crate::core::test::{Held, OnEnter};
    pub use crate::features::env::{set_env, EnvChange};

    /// Runs a test and panics (failing it) if its setup, body or teardown failed.
    #[track_caller]
    pub fn run(test: Test) {
        crate::core::run::run(test, &crate::PLUGGED)
    }

    /// Runs case `case` of a parametrized test, named `name`: one call per case, the rest of
    /// its `Test` copied here rather than in every case's function.
    #[track_caller]
    pub fn run_case(test: &'static Test, name: &'static str, case: usize) {
        crate::core::run::run(Test { name, case, ..*test }, &crate::PLUGGED)
    }

    /// [`run_case`] of a case with attributes of its own, written before its row: a
    /// `#[timeout]` (its limit), a `#[should_panic]` (its panic expected).
    #[track_caller]
    pub fn run_case_as(
        test: &'static Test,
        name: &'static str,
        case: usize,
        timeout: Option<std::time::Duration>,
        expects_panic: bool,
    ) {
        let timeout = timeout.or(test.timeout);
        let expects_panic = expects_panic || test.expects_panic;
        crate::core::run::run(Test { name, case, timeout, expects_panic, ..*test }, &crate::PLUGGED)
    }

    // Each calls `run` above, not the core with `PLUGGED`: what a test crate instantiates
    // then never names the features' list (its debug info would be in every test crate).
    crate::core::test::shared_bodies! {
        run: crate::__private::run;
        shared_body_0 shared_run_0();
        shared_body_1 shared_run_1(A);
        shared_body_2 shared_run_2(A B);
        shared_body_3 shared_run_3(A B C);
        shared_body_4 shared_run_4(A B C D);
        shared_body_5 shared_run_5(A B C D E);
        shared_body_6 shared_run_6(A B C D E F);
    }
    pub use crate::core::stack::{ByValue, FixtureStack};
    pub use crate::features::conf::{assign, conf_layer, require_conf, ConfTarget, ConfValue, OverriddenConf};
    #[cfg(feature = "db")]
    pub use crate::features::db::poison::{poison_current_scope, poison_unless_claimed, DATABASE, POISON_DB};
    pub use crate::features::once::{once, OnceByName};
    #[cfg(feature = "run")]
    pub use crate::features::run_scope::{per_run, RunValue};
    #[cfg(feature = "async")]
    pub use crate::features::service::{box_service, start_service, ServiceSpec};
    pub use crate::features::skip::skip;
    pub use crate::leaf::outcome::Outcome;
    pub use inventory;
    pub use std::any::Any;
    pub use std::boxed::Box;
    pub use std::vec::Vec;
}
