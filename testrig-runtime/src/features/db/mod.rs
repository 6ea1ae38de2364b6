//! Databases for tests: one per test ([`Database`], or a typed pool parameter), named sets,
//! and Nova's layout ([`Cells`], with the [`api`] / [`cell`] seam application code reads).
//!
//! Each database is made from a [`Recipe`] — migrations and seeds — whose template is built
//! once per process (SQLite, in `/dev/shm` when available) or once per server (PostgreSQL),
//! and copied for every test. Inside a test marked `#[poison_db]`, any use panics.

mod backend;
#[cfg(feature = "any")]
mod cells;
mod database;
mod error;
#[doc(hidden)]
pub mod poison;
#[cfg(feature = "postgres")]
mod postgres;
mod recipe;
#[cfg(feature = "any")]
mod schema;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "any")]
mod target;

#[cfg(feature = "any")]
use std::sync::{OnceLock, RwLock};

/// The sqlx this crate was built with, for code that must name the same version's types;
/// its items are documented by sqlx, so they are not copied into these docs.
#[doc(hidden)]
#[cfg(feature = "sqlx-0_9")]
pub use ::sqlx;
#[doc(hidden)]
#[cfg(all(feature = "sqlx-0_8", not(feature = "sqlx-0_9")))]
pub use ::sqlx08 as sqlx;
#[cfg(feature = "any")]
#[doc(no_inline)]
pub use sqlx::AnyPool;

pub use self::backend::Backend;
#[cfg(feature = "any")]
pub use self::cells::{Cells, CellsOptions};
pub use self::database::{Database, DatabaseOptions, Databases, DatabasesOptions};
pub use self::error::DbError;
#[cfg(feature = "postgres")]
pub use self::postgres::server_url;
pub use self::recipe::{Recipe, Seed};
#[cfg(feature = "any")]
pub use self::schema::{RegisteredSchema, Schema};
#[cfg(feature = "any")]
pub use self::target::{CellGuard, CellTarget, Targeted};
#[cfg(feature = "any")]
pub use crate::schema;

#[cfg(feature = "any")]
use self::cells::TestDatabases;
#[cfg(feature = "any")]
use crate::core::scope::Scope;

/// Production database URLs (what Nova reads from `[api_database]` and the cell mappings),
/// for the [`api`] / [`cell`] seam.
#[cfg(feature = "any")]
#[derive(Debug, Clone, Default)]
pub struct Urls {
    /// The API database's URL.
    pub api: String,
    /// `(cell name, URL)`.
    pub cells: Vec<(String, String)>,
}

#[cfg(feature = "any")]
struct Production {
    api: Lazy,
    cells: Vec<(String, Lazy)>,
}

/// A production pool made on first use, inside the application's runtime (a pool belongs to
/// the runtime that made it).
#[cfg(feature = "any")]
struct Lazy {
    url: String,
    pool: OnceLock<AnyPool>,
}

#[cfg(feature = "any")]
impl Lazy {
    fn get(&self, what: &str) -> Result<AnyPool, DbError> {
        if let Some(pool) = self.pool.get() {
            return Ok(pool.clone());
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(DbError::Database {
                what: format!("the {what} database is used outside a tokio runtime"),
                cause: "call `testrig::db` from async code running on tokio".into(),
            });
        }
        let pool = AnyPool::connect_lazy(&self.url)
            .map_err(|e| DbError::Database { what: format!("bad {what} database URL"), cause: e.to_string() })?;
        Ok(self.pool.get_or_init(|| pool).clone())
    }
}

#[cfg(feature = "any")]
static PRODUCTION: RwLock<Option<&'static Production>> = RwLock::new(None);

/// Sets the production databases. URLs are checked now; pools connect on first use.
///
/// ```
/// testrig::db::configure(testrig::db::Urls {
///     api: "sqlite::memory:".into(),
///     cells: vec![("cell1".into(), "sqlite::memory:".into())],
/// })
/// .unwrap();
///
/// let bad = testrig::db::configure(testrig::db::Urls { api: "nosuchdb://x".into(), cells: vec![] });
/// assert!(bad.unwrap_err().to_string().starts_with("bad api database URL"));
/// ```
#[cfg(feature = "any")]
pub fn configure(databases: Urls) -> Result<(), DbError> {
    self::backend::install_drivers();
    let lazy = |what: &str, url: &str| {
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|scheme| url.starts_with(scheme)) {
            return Err(DbError::Database {
                what: format!("bad {what} database URL"),
                cause: "expected `sqlite:..` or `postgres://..`".into(),
            });
        }
        <sqlx::any::AnyConnectOptions as std::str::FromStr>::from_str(url)
            .map_err(|e| DbError::Database { what: format!("bad {what} database URL"), cause: e.to_string() })?;
        Ok::<_, DbError>(Lazy { url: url.to_owned(), pool: OnceLock::new() })
    };
    let api = lazy("api", &databases.api)?;
    let cells = databases
        .cells
        .iter()
        .map(|(name, url)| Ok((name.clone(), lazy(name, url)?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    // Leaked on purpose: production configuration lives as long as the process.
    let production: &'static Production = Box::leak(Box::new(Production { api, cells }));
    *PRODUCTION.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(production);
    Ok(())
}

/// The API database: the test's own inside a `#[with_cells]` test, else the configured one.
///
/// # Panics
/// Inside a `#[poison_db]` test.
#[cfg(feature = "any")]
pub fn api() -> Result<AnyPool, DbError> {
    poison::check("testrig::db::api()");
    if let Some(test) = test_databases() {
        return test.0.api().cloned();
    }
    match production() {
        Some(production) => production.api.get("api"),
        None => Err(DbError::NotConfigured { what: "api" }),
    }
}

/// The database of the current cell (set with [`Cells::target`]). Untargeted use is an error,
/// never a fallback to some default cell.
///
/// # Panics
/// Inside a `#[poison_db]` test.
#[cfg(feature = "any")]
pub fn cell() -> Result<AnyPool, DbError> {
    poison::check("testrig::db::cell()");
    let name = target::current_cell().ok_or(DbError::Untargeted)?;
    if let Some(test) = test_databases() {
        return test.0.cell(&name).cloned();
    }
    let production = production().ok_or(DbError::NotConfigured { what: "cell" })?;
    match production.cells.iter().find(|(cell, _)| **cell == *name) {
        Some((_, pool)) => pool.get(&name),
        None => Err(DbError::UnknownCell {
            name: name.to_string(),
            known: production.cells.iter().map(|(cell, _)| cell.clone()).collect(),
        }),
    }
}

/// Runs `future` with cell `name` as the current cell for [`cell`]: how application code
/// targets a cell (Nova's `target_cell`). Nests; tasks spawned with `testrig::spawn` keep
/// it. An unknown name is an error at the [`cell`] call, listing the known cells.
///
/// ```
/// use testrig::db::{self, sqlx, Cells};
/// # testrig::db::schema!(static SCHEMA, api = "../tests/migrations/api", cells = "../tests/migrations/cell");
///
/// async fn count_instances(cell: &str) -> i64 {
///     db::target_cell(cell, async {
///         let pool = db::cell().unwrap();
///         sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM instances").fetch_one(&pool).await.unwrap().0
///     })
///     .await
/// }
///
/// #[testrig::test]
/// #[with_cells(cell1)]
/// async fn app_code_targets_cells(_cells: &Cells) {
///     assert_eq!(count_instances("cell1").await, 0);
/// }
/// # app_code_targets_cells();
/// ```
#[cfg(feature = "any")]
pub fn target_cell<F: std::future::Future>(name: &str, future: F) -> Targeted<F> {
    Targeted::new(CellTarget(Some(std::sync::Arc::from(name))), future)
}

#[cfg(feature = "any")]
fn test_databases() -> Option<std::sync::Arc<TestDatabases>> {
    Scope::with_current(|scope| scope?.get_extension::<TestDatabases>())
}

#[cfg(feature = "any")]
fn production() -> Option<&'static Production> {
    *PRODUCTION.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(feature = "any")]
pub(crate) use self::target::{current_cell, with_cell};
