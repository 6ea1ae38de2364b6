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

mod conf;
mod context;
#[cfg(feature = "db")]
pub mod db;
mod env;
mod fixture;
mod leaks;
#[cfg(feature = "logs")]
pub mod logs;
mod once;
mod outcome;
pub mod plan;
pub mod registry;
mod report;
mod run;
mod scope;
#[cfg(feature = "async")]
pub mod service;
mod show;
mod skip;
#[cfg(feature = "insta")]
mod snapshot_names;
mod spawn;
mod stack;
mod temp_dir;
mod unwind;
mod wait;

pub use crate::conf::{Conf, ConfGuard};
pub use crate::context::{Context, InContext};
pub use crate::fixture::{BoxError, Fixture};
pub use crate::outcome::TestOutcome;
pub use crate::scope::{Scope, ScopeGuard};
#[cfg(feature = "async")]
pub use crate::spawn::spawn;
pub use crate::spawn::{thread, Scoped};
pub use crate::stack::FixtureStack;
pub use crate::temp_dir::TempDir;
#[cfg(feature = "async")]
pub use crate::wait::wait_for_async;
pub use crate::wait::{wait_for, Observation};

/// Items the macros' generated code uses. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::conf::{assign, conf_layer, require_conf, ConfTarget, ConfValue, OverriddenConf};
    #[cfg(feature = "db")]
    pub use crate::db::poison::{poison_current_scope, poison_unless_claimed};
    pub use crate::env::EnvChange;
    pub use crate::fixture::{
        default_options, downcast, no_configs, no_options, once, options, setup_output, setup_value, teardown_output,
        ByValue, Configs, Dependencies, FixtureMeta, FixtureRef, Registered, Shared, Step, FALLBACK_META,
    };
    pub use crate::outcome::Outcome;
    pub use crate::plan::{
        check_acyclic, check_exclusive, check_no_database, check_once_requirements, plan, plan_len, walked, Roots,
        Walked,
    };
    pub use crate::run::{
        case_file, case_index, parse_case, run, run_case, shared_body_0, shared_body_1, shared_body_2, shared_body_3,
        shared_body_4, shared_body_5, shared_body_6, shared_run_0, shared_run_1, shared_run_2, shared_run_3,
        shared_run_4, shared_run_5, shared_run_6, Body, BodyFuture, Flavor, Test,
    };
    #[cfg(feature = "async")]
    pub use crate::service::{box_service, start_service, ServiceSpec};
    pub use crate::skip::skip;
    pub use crate::stack::{take, FixtureStack};
    pub use inventory;
    pub use std::any::Any;
    pub use std::boxed::Box;
    pub use std::vec::Vec;
}
