//! What plugs into the core: configuration overrides, environment variables, databases, log
//! capture, services, leak checks, process-wide fixtures, skips, scoped threads and tasks,
//! waits, temporary directories, insta's snapshot names, tokio as the executor of async tests.

pub(crate) mod conf;
pub(crate) mod context;
#[cfg(feature = "db")]
pub mod db;
pub(crate) mod env;
pub(crate) mod leaks;
#[cfg(feature = "logs")]
pub mod logs;
pub(crate) mod once;
#[cfg(feature = "run")]
pub(crate) mod run_scope;
#[cfg(feature = "async")]
pub mod service;
pub(crate) mod skip;
#[cfg(feature = "insta")]
pub(crate) mod snapshot_names;
pub(crate) mod spawn;
pub(crate) mod temp_dir;
#[cfg(feature = "async")]
pub(crate) mod tokio_runtime;
pub(crate) mod wait;
