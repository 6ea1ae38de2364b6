//! The `Cells` fixture: an API database, cell0 and named cell databases, migrated and fresh
//! for every test.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::core::scope::Scope;
use crate::features::db::backend::{self, Backend, Created};
use crate::features::db::database::{closed_in_time, still_held, POOL_WAIT};
use crate::features::db::recipe::Recipe;
use crate::features::db::schema::{default_schema, Schema};
use crate::features::db::target::{with_cell, CellTarget, Targeted};
use crate::features::db::DbError;

/// What a test asks of [`Cells`]: `#[with_cells(cell1, cell2)]` fills it in.
#[derive(Debug, Clone, Default)]
pub struct CellsOptions {
    /// `None`: the one schema declared with [`schema!`](crate::schema).
    pub schema: Option<&'static Schema>,
    /// The named cells besides cell0; empty means `["cell1"]`.
    pub names: Vec<&'static str>,
}

impl CellsOptions {
    /// What `#[with_cells(in = SCHEMA, names..)]` gives: the schema, if named, and the cells.
    pub fn new(schema: Option<&'static Schema>, names: &[&'static str]) -> Self {
        CellsOptions { schema, names: names.to_vec() }
    }
}

/// A test's databases, like Nova's `CellDatabases`: the API database, `cell0` and the named
/// cells, each migrated and fresh for the test, dropped after it.
///
/// Application code reaches them through [`crate::features::db::api`] and [`crate::features::db::cell`]; the
/// current cell is set per future with [`Cells::target`] — there is no default cell to fall
/// back to.
///
/// ```
/// use testrig::db::{self, sqlx, Cells};
/// # testrig::db::schema!(static SCHEMA, api = "../tests/migrations/api", cells = "../tests/migrations/cell");
///
/// #[testrig::test]
/// #[with_cells(cell1, cell2)]
/// async fn each_cell_is_its_own_database(cells: &Cells) {
///     assert_eq!(cells.names(), ["cell0", "cell1", "cell2"]);
///     cells.target("cell2", async {
///         let cell = db::cell().unwrap();
///         sqlx::query("INSERT INTO instances (uuid, host) VALUES ('vm1', 'host2')").execute(&cell).await.unwrap();
///     }).await;
///     let count = |name: &'static str| async move {
///         let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances").fetch_one(cells.cell(name)).await.unwrap();
///         row.0
///     };
///     assert_eq!((count("cell1").await, count("cell2").await), (0, 1));
/// }
/// # each_cell_is_its_own_database();
/// ```
#[derive(Clone)]
pub struct Cells {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    api: AnyPool,
    /// cell0 first, then the named cells in the order given.
    cells: Vec<(Arc<str>, AnyPool)>,
    /// Taken by teardown, which hands them back.
    created: Mutex<Vec<Created>>,
    hosts: Mutex<HashMap<String, Arc<str>>>,
    torn_down: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Cells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cells").field("cells", &self.names()).finish_non_exhaustive()
    }
}

/// How `testrig::db` finds the current test's databases: the scope holds them.
pub(crate) struct TestDatabases(pub(crate) Arc<Inner>);

#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", scope_hook = crate::features::db::poison::Claimed::hook, prepare = crate::features::db::backend::prepare_either, claims = crate::features::db::poison::DATABASE)]
impl Cells {
    async fn setup(#[options] config: &CellsOptions) -> Result<Cells, DbError> {
        crate::features::db::poison::check("#[with_cells] / the Cells fixture");
        crate::features::db::backend::install_drivers();
        let schema = match config.schema {
            Some(schema) => schema,
            None => default_schema()?,
        };
        let scope = Scope::current();
        let scope_id = scope.as_ref().map_or(0, |scope| scope.id());
        let mut names: Vec<&str> = vec!["cell0"];
        if config.names.is_empty() {
            names.push("cell1");
        } else {
            names.extend(config.names.iter().copied());
        }
        let backend = Backend::either();
        let labels = std::iter::once("api").chain(names.iter().copied()).enumerate();
        let results = backend::all_at_once(labels.map(|(position, name)| {
            let recipe = if position == 0 { schema.api() } else { schema.cell() };
            let label = name.to_owned();
            async move { fresh(backend, recipe, scope_id, &label).await }
        }))
        .await;
        let mut created = Vec::with_capacity(results.len());
        let mut pools = Vec::with_capacity(results.len());
        let mut first_error = None;
        for result in results {
            match result {
                Ok((pool, made)) => {
                    created.push(made);
                    pools.push(pool);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        let made = match first_error {
            None => {
                let api = pools.remove(0);
                let cells = names.iter().map(|name| Arc::<str>::from(*name)).zip(pools).collect::<Vec<_>>();
                Ok((api, cells))
            }
            Some(error) => Err(error),
        };
        let (api, cells) = match made {
            Ok(made) => made,
            Err(error) => {
                // Nothing is left behind when one of the databases cannot be made.
                let _ = backend::discard(&created).await;
                return Err(error);
            }
        };
        let inner = Arc::new(Inner {
            api,
            cells,
            created: Mutex::new(created),
            hosts: Mutex::new(HashMap::new()),
            torn_down: std::sync::atomic::AtomicBool::new(false),
        });
        if let Some(scope) = scope {
            scope.extension(|| TestDatabases(inner.clone()));
        }
        Ok(Cells { inner })
    }

    async fn teardown(self) -> Result<(), DbError> {
        self.inner.torn_down.store(true, std::sync::atomic::Ordering::SeqCst);
        let held = self.close_pools().await;
        let created = std::mem::take(&mut *self.inner.created.lock().unwrap_or_else(PoisonError::into_inner));
        let failed = Scope::with_current(|scope| scope.is_some_and(Scope::has_failed));
        if held.is_err() || failed {
            backend::keep(&created).await;
            return held;
        }
        backend::release(created).await
    }

    /// Closes every pool within [`POOL_WAIT`]; a connection kept past the test (in a
    /// static, a stray task) would otherwise hang teardown forever.
    async fn close_pools(&self) -> Result<(), DbError> {
        let pools = std::iter::once(("api", &self.inner.api))
            .chain(self.inner.cells.iter().map(|(name, pool)| (&**name, pool)));
        let mut held = Vec::new();
        for (name, pool) in pools {
            if !closed_in_time(pool.close()).await {
                held.push(name);
            }
        }
        if held.is_empty() {
            return Ok(());
        }
        Err(still_held(&format!("the {} database(s)", held.join(", "))))
    }

    /// The API database.
    pub fn api(&self) -> &AnyPool {
        &self.inner.api
    }

    /// The database of cell `name` (`"cell0"` or a named cell).
    ///
    /// # Panics
    /// For a cell this test did not create; the message lists the ones it did.
    pub fn cell(&self, name: &str) -> &AnyPool {
        match self.try_cell(name) {
            Ok(pool) => pool,
            Err(error) => panic!("{error}"),
        }
    }

    /// The database of cell `name`, or an error listing the cells this test has.
    pub fn try_cell(&self, name: &str) -> Result<&AnyPool, DbError> {
        self.inner.cell(name)
    }

    /// The cell names of this test: `cell0`, then the named cells in the order given.
    pub fn names(&self) -> Vec<&str> {
        self.inner.cells.iter().map(|(name, _)| &**name).collect()
    }

    /// Runs `future` with `cell` as the current cell for [`crate::features::db::cell`]. Nests; tasks it
    /// spawns with `testrig::spawn` keep the target.
    ///
    /// # Panics
    /// For an unknown cell name, listing the known ones.
    pub fn target<F: Future>(&self, cell: &str, future: F) -> Targeted<F> {
        Targeted::new(CellTarget(Some(self.known(cell))), future)
    }

    /// Runs `f` with `cell` as the current cell.
    pub fn target_sync<R>(&self, cell: &str, f: impl FnOnce() -> R) -> R {
        with_cell(Some(self.known(cell)), f)
    }

    /// Where each database of this test lives, in the order api, cell0, named cells: a file
    /// path on SQLite, a database name on PostgreSQL. For debugging and leak checks.
    pub fn locations(&self) -> Vec<String> {
        let created = self.inner.created.lock().unwrap_or_else(PoisonError::into_inner);
        created.iter().map(Created::location).collect()
    }

    /// Records that compute host `host` lives in `cell` (Nova's host mappings).
    pub fn map_host(&self, host: &str, cell: &str) {
        let cell = self.known(cell);
        self.inner.hosts.lock().unwrap_or_else(PoisonError::into_inner).insert(host.to_owned(), cell);
    }

    /// The cell `host` was mapped to with [`Cells::map_host`].
    pub fn cell_of_host(&self, host: &str) -> Option<String> {
        self.inner.hosts.lock().unwrap_or_else(PoisonError::into_inner).get(host).map(|cell| cell.to_string())
    }

    fn known(&self, cell: &str) -> Arc<str> {
        match self.inner.cells.iter().find(|(name, _)| &**name == cell) {
            Some((name, _)) => name.clone(),
            None => panic!("{}", self.inner.unknown(cell)),
        }
    }
}

impl Inner {
    pub(crate) fn cell(&self, name: &str) -> Result<&AnyPool, DbError> {
        if self.torn_down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(DbError::TornDown);
        }
        match self.cells.iter().find(|(cell, _)| &**cell == name) {
            Some((_, pool)) => Ok(pool),
            None => Err(self.unknown(name)),
        }
    }

    pub(crate) fn api(&self) -> Result<&AnyPool, DbError> {
        if self.torn_down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(DbError::TornDown);
        }
        Ok(&self.api)
    }

    fn unknown(&self, name: &str) -> DbError {
        DbError::UnknownCell { name: name.to_owned(), known: self.cells.iter().map(|(n, _)| n.to_string()).collect() }
    }
}

/// One of the test's databases, made from `recipe` and connected.
async fn fresh(
    backend: Backend,
    recipe: &'static Recipe,
    scope_id: u64,
    label: &str,
) -> Result<(AnyPool, Created), DbError> {
    let created = Created::new(backend, recipe, scope_id, label).await?;
    let url = created.url();
    let connecting = AnyPoolOptions::new().max_connections(4).acquire_timeout(POOL_WAIT).connect(&url);
    let connected = match tokio::time::timeout(POOL_WAIT, connecting).await {
        Ok(Ok(pool)) => Ok(pool),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {POOL_WAIT:?}")),
    };
    match connected {
        Ok(pool) => Ok((pool, created)),
        Err(cause) => {
            let what = format!("cannot connect to test database {}", created.location());
            let _ = backend::discard(std::slice::from_ref(&created)).await;
            Err(DbError::Database { what, cause })
        }
    }
}
