//! The database seam: how application code gets a connection pool for the API database or
//! for the current cell.
//!
//! In production, [`configure`] names the URLs. Inside a test that claims databases with
//! `#[with_cells(..)]`, the same calls return that test's own fresh databases; inside a test
//! marked `#[poison_db]`, any call panics. Databases are SQLite files made from a template
//! migrated once per process (in `/dev/shm` when available); pools are `sqlx::AnyPool`.

mod cells;
mod error;
#[doc(hidden)]
pub mod poison;
mod postgres;
mod schema;
mod sqlite;
mod target;

use std::sync::{OnceLock, RwLock};

/// The sqlx this crate was built with, for code that must name the same version's types;
/// its items are documented by sqlx, so they are not copied into these docs.
#[doc(hidden)]
pub use sqlx;
#[doc(no_inline)]
pub use sqlx::AnyPool;

pub use self::cells::{Cells, CellsConfig};
pub use self::error::DbError;
pub use self::schema::{Registered, Schema};
pub use self::target::{CellGuard, CellTarget, Targeted};
pub use crate::schema;

use self::cells::TestDatabases;
use crate::scope::Scope;

/// Production database URLs (what Nova reads from `[api_database]` and the cell mappings).
#[derive(Debug, Clone, Default)]
pub struct Databases {
    /// The API database's URL.
    pub api: String,
    /// `(cell name, URL)`.
    pub cells: Vec<(String, String)>,
}

struct Production {
    api: Lazy,
    cells: Vec<(String, Lazy)>,
}

/// A production pool made on first use, inside the application's runtime (a pool belongs to
/// the runtime that made it).
struct Lazy {
    url: String,
    pool: OnceLock<AnyPool>,
}

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

static PRODUCTION: RwLock<Option<&'static Production>> = RwLock::new(None);

/// Sets the production databases. URLs are checked now; pools connect on first use.
///
/// ```
/// testrig::db::configure(testrig::db::Databases {
///     api: "sqlite::memory:".into(),
///     cells: vec![("cell1".into(), "sqlite::memory:".into())],
/// })
/// .unwrap();
///
/// let bad = testrig::db::configure(testrig::db::Databases { api: "nosuchdb://x".into(), cells: vec![] });
/// assert!(bad.unwrap_err().to_string().starts_with("bad api database URL"));
/// ```
pub fn configure(databases: Databases) -> Result<(), DbError> {
    install_drivers();
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
pub fn target_cell<F: std::future::Future>(name: &str, future: F) -> Targeted<F> {
    Targeted::new(CellTarget(Some(std::sync::Arc::from(name))), future)
}

fn test_databases() -> Option<std::sync::Arc<TestDatabases>> {
    Scope::with_current(|scope| scope?.get_extension::<TestDatabases>())
}

fn production() -> Option<&'static Production> {
    *PRODUCTION.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn install_drivers() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(sqlx::any::install_default_drivers);
}

pub(crate) use self::target::{current_cell, with_cell};
