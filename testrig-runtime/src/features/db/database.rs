//! One database per test: the [`Database`] fixture and the typed pools tests take as
//! parameters (`&sqlx::SqlitePool`, `&sqlx::PgPool`, `&sqlx::AnyPool`), made from the
//! test's [`DatabaseOptions`] — `#[database(..)]`, or the crate's `migrations/` by default.

use std::sync::OnceLock;
use std::time::Duration;

use crate::core::fixture::Dependencies;
use crate::core::scope::Scope;
use crate::features::db::backend::{self, Backend, Created};
use crate::features::db::recipe::Recipe;
use crate::features::db::DbError;

/// What a test's database is made from: `#[database(migrations = "..", fixtures(..))]` fills
/// it in; without the attribute, the migrations in `migrations/` of the crate under test
/// (found through `CARGO_MANIFEST_DIR`, as `sqlx::migrate!()` finds them), if it has one.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabaseOptions {
    recipe: Option<&'static Recipe>,
    backend: Option<Backend>,
}

impl DatabaseOptions {
    /// The database made from `recipe` (what `#[database(..)]` expands to).
    pub const fn new(recipe: &'static Recipe) -> Self {
        DatabaseOptions { recipe: Some(recipe), backend: None }
    }

    /// On `backend`, whatever `TESTRIG_DATABASE_URL` says (`#[database(backend = postgres)]`,
    /// and each case of `#[database(backends(sqlite, postgres))]`). A backend that cannot be
    /// had here — PostgreSQL with no server URL and no server binaries, a backend testrig
    /// was built without — skips the test, saying why (`TESTRIG_NO_SKIP=1`: fails it).
    ///
    /// ```
    /// use testrig::db::{Backend, Database};
    ///
    /// #[testrig::test]
    /// #[database(backend = sqlite, migrations = false)]
    /// async fn on_sqlite_whatever_the_environment_says(db: &Database) {
    ///     assert_eq!(db.backend(), Backend::Sqlite);
    /// }
    /// # fn main() { on_sqlite_whatever_the_environment_says(); }
    /// ```
    pub const fn on(self, backend: Backend) -> Self {
        DatabaseOptions { backend: Some(backend), ..self }
    }

    fn recipe(&self) -> Result<&'static Recipe, DbError> {
        match self.recipe {
            Some(recipe) => Ok(recipe),
            None => default_recipe(),
        }
    }
}

/// [`Database`]'s `prepare`: the server of the backend its options pin (`backend = postgres`,
/// a `backends(..)` case's), else of [`Backend::either`], begun ahead of the test's setups.
fn prepare_pinned(options: &dyn std::any::Any) {
    let pinned = options.downcast_ref::<DatabaseOptions>().and_then(|options| options.backend);
    backend::begin(pinned.unwrap_or_else(Backend::either));
}

/// `migrations/` of the crate whose tests run, read from `CARGO_MANIFEST_DIR` (cargo and
/// nextest set it for test processes); no directory there means an empty database.
fn default_recipe() -> Result<&'static Recipe, DbError> {
    static DEFAULT: OnceLock<Result<&'static Recipe, String>> = OnceLock::new();
    let made = DEFAULT.get_or_init(|| {
        let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR") else {
            return Err(
                "`CARGO_MANIFEST_DIR` is not set, so the crate's `migrations/` cannot be found: run the tests \
                        with cargo or nextest, or name the directory with `#[database(migrations = \"..\")]`"
                    .to_owned(),
            );
        };
        let dir = std::path::Path::new(&root).join("migrations");
        let owner = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "crate".to_owned());
        let migrations = dir.is_dir().then(|| &*Box::leak(dir.display().to_string().into_boxed_str()));
        // Leaked once per process: the default recipe lives as long as the tests.
        Ok(&*Box::leak(Box::new(Recipe {
            owner: Box::leak(owner.into_boxed_str()),
            database: "main",
            migrations,
            migrator: None,
            seeds: &[],
        })))
    });
    match made {
        Ok(recipe) => Ok(recipe),
        Err(cause) => Err(DbError::Database { what: "no default migrations".into(), cause: cause.clone() }),
    }
}

/// A test's own database, fresh from its template: migrated and seeded once per process (or,
/// on PostgreSQL, once per server), copied for each test, removed or reset after it; a
/// failed test's is kept and named for inspection.
///
/// Tests that take a typed pool get one to this database; any other client connects with
/// [`Database::url`].
///
/// ```
/// use testrig::db::Database;
///
/// #[testrig::test]
/// #[database(migrations = "../tests/migrations/cell")]
/// async fn any_client_connects_by_url(db: &Database) {
///     assert!(db.url().starts_with("sqlite://") || db.url().starts_with("postgres"));
///     let pool = sqlx::AnyPool::connect(db.url()).await.unwrap();
///     let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances").fetch_one(&pool).await.unwrap();
///     assert_eq!(n, 0);
/// }
/// # testrig::db::sqlx::any::install_default_drivers();
/// # any_client_connects_by_url();
/// ```
#[derive(Debug)]
pub struct Database {
    /// Read from `created` once: `url()` and `name()` lend them out.
    url: String,
    location: String,
    backend: Backend,
    pools: Pools,
    created: Created,
}

/// The database's pools: its backend's own and, with the `any` feature, an `Any` one; made
/// lazily, so none connects before the test uses it.
#[derive(Debug, Default)]
struct Pools {
    #[cfg(feature = "sqlite")]
    sqlite: Option<sqlx::SqlitePool>,
    #[cfg(feature = "postgres")]
    postgres: Option<sqlx::PgPool>,
    #[cfg(feature = "any")]
    any: Option<sqlx::AnyPool>,
}

/// How long a test's pool waits — to open or hand out a connection, and at teardown for its
/// connections to come back: a connection kept past the test (in a static, a forgotten task)
/// would otherwise hang teardown forever.
pub(crate) const POOL_WAIT: Duration = Duration::from_secs(5);

/// Whether `close` (a pool's `close()`) finished within [`POOL_WAIT`].
pub(crate) async fn closed_in_time(close: impl std::future::Future<Output = ()>) -> bool {
    tokio::time::timeout(POOL_WAIT, close).await.is_ok()
}

/// The failure of a teardown whose `what` ("the test's SqlitePool") still had a connection
/// out after [`POOL_WAIT`], saying where such connections hide.
pub(crate) fn still_held(what: &str) -> DbError {
    DbError::Database {
        what: format!("a connection of {what} was still held {}s after the test", POOL_WAIT.as_secs()),
        cause: "look for a pool or connection kept in a static, a transaction never committed or rolled back, \
                or a spawned task still using it; what it connects to is kept for inspection"
            .into(),
    }
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", scope_hook = crate::features::db::poison::Claimed::hook, prepare = prepare_pinned, claims = crate::features::db::poison::DATABASE)]
impl Database {
    async fn setup(stack: &dyn Dependencies, #[options] config: &DatabaseOptions) -> Result<Database, DbError> {
        crate::features::db::poison::check("a database fixture");
        let backend = match config.backend {
            Some(pinned) => pinned_backend(stack, pinned)?,
            None => typed_backend(stack)?.unwrap_or_else(Backend::either),
        };
        Database::create(config.recipe()?, backend).await
    }

    /// A fresh database from `recipe` on `backend`, with its pools (they connect lazily).
    async fn create(recipe: &'static Recipe, backend: Backend) -> Result<Database, DbError> {
        let scope_id = Scope::with_current(|scope| scope.map_or(0, Scope::id));
        let created = Created::new(backend, recipe, scope_id, recipe.database).await?;
        let url = created.url();
        let pools = match Pools::open(backend, &url) {
            Ok(pools) => pools,
            Err(error) => {
                let _ = backend::discard(std::slice::from_ref(&created)).await;
                return Err(error);
            }
        };
        Ok(Database { location: created.location(), url, backend, pools, created })
    }

    async fn teardown(self) -> Result<(), DbError> {
        let held = self.pools.close().await;
        if Scope::with_current(|scope| scope.is_some_and(Scope::has_failed)) {
            backend::keep(std::slice::from_ref(&self.created)).await;
            return Ok(());
        }
        if let Some(held) = held {
            // Its connections are still out: dropping or resetting it under them would fail
            // the next test; it is kept like a failed test's, and this test fails.
            backend::keep(std::slice::from_ref(&self.created)).await;
            return Err(held);
        }
        backend::release(vec![self.created]).await
    }

    /// Gets rid of it after a failed setup: pools closed, database removed.
    async fn discard(self) {
        self.pools.close().await;
        let _ = backend::discard(std::slice::from_ref(&self.created)).await;
    }

    /// The URL of this test's database: `sqlite:///dev/shm/..` or `postgres://..` (with the
    /// server URL's credentials). Any client connects with it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where it is: the file on SQLite, the database name on PostgreSQL.
    pub fn name(&self) -> &str {
        &self.location
    }

    /// Which backend holds it.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The test's pool to it, when the test takes `&sqlx::SqlitePool`.
    ///
    /// # Panics
    /// When the database is on PostgreSQL.
    #[cfg(feature = "sqlite")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
    pub fn sqlite(&self) -> &sqlx::SqlitePool {
        match &self.pools.sqlite {
            Some(pool) => pool,
            None => panic!("this test's database is on {}, not SQLite", self.backend.name()),
        }
    }

    /// The test's pool to it, when the test takes `&sqlx::PgPool`.
    ///
    /// # Panics
    /// When the database is on SQLite.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub fn postgres(&self) -> &sqlx::PgPool {
        match &self.pools.postgres {
            Some(pool) => pool,
            None => panic!("this test's database is on {}, not PostgreSQL", self.backend.name()),
        }
    }

    /// A pool of sqlx's `Any` driver to it.
    #[cfg(feature = "any")]
    #[cfg_attr(docsrs, doc(cfg(feature = "any")))]
    pub fn any(&self) -> &sqlx::AnyPool {
        match &self.pools.any {
            Some(pool) => pool,
            None => unreachable!("every database has an Any pool when the `any` feature is on"),
        }
    }
}

/// The backend a test's typed pools require, if it takes one: `&PgPool` means PostgreSQL,
/// `&SqlitePool` SQLite; both in one test is a mistake, said at setup.
fn typed_backend(stack: &dyn Dependencies) -> Result<Option<Backend>, DbError> {
    #[cfg(feature = "sqlite")]
    let sqlite = stack.plans::<sqlx::SqlitePool>();
    #[cfg(not(feature = "sqlite"))]
    let sqlite = false;
    #[cfg(feature = "postgres")]
    let postgres = stack.plans::<sqlx::PgPool>();
    #[cfg(not(feature = "postgres"))]
    let postgres = false;
    match (sqlite, postgres) {
        (true, true) => Err(DbError::Database {
            what: "this test takes both `&SqlitePool` and `&PgPool`".into(),
            cause: "one database has one backend: take one of them, or `&testrig::db::Database` and connect by URL"
                .into(),
        }),
        (true, false) => Ok(Some(Backend::Sqlite)),
        (false, true) => Ok(Some(Backend::Postgres)),
        (false, false) => Ok(None),
    }
}

/// The backend a test asked for by name: skipped (the reason printed) where it cannot be had,
/// an error where the test's typed pool is another backend's.
fn pinned_backend(stack: &dyn Dependencies, pinned: Backend) -> Result<Backend, DbError> {
    if let Some(typed) = typed_backend(stack)?.filter(|typed| *typed != pinned) {
        return Err(DbError::Database {
            what: format!("this test's database is on {}, and it takes {}'s typed pool", pinned.name(), typed.name()),
            cause: "a test on a backend named in `#[database(backend = ..)]` or `backends(..)` takes \
                    `&testrig::db::Database` or `&sqlx::AnyPool`, or the typed pool of that backend"
                .into(),
        });
    }
    if let Some(why) = backend::unavailable(pinned) {
        crate::features::skip::skip(format!("{} is not available here: {why}", pinned.name()));
    }
    Ok(pinned)
}

impl Pools {
    fn open(backend: Backend, url: &str) -> Result<Pools, DbError> {
        let bad_url = |error: sqlx::Error| DbError::Database {
            what: "cannot open the test's database".into(),
            cause: error.to_string(),
        };
        let mut pools = Pools::default();
        #[cfg(feature = "sqlite")]
        if backend == Backend::Sqlite {
            // `#[sqlx::test]`'s limits: a SQLite database is the test's alone (1,000, opened
            // as used); a server's connections are shared by every test (5).
            pools.sqlite = Some(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1000)
                    .acquire_timeout(POOL_WAIT)
                    .connect_lazy(url)
                    .map_err(bad_url)?,
            );
        }
        #[cfg(feature = "postgres")]
        if backend == Backend::Postgres {
            pools.postgres = Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(5)
                    .acquire_timeout(POOL_WAIT)
                    .connect_lazy(url)
                    .map_err(bad_url)?,
            );
        }
        #[cfg(feature = "any")]
        {
            crate::features::db::backend::install_drivers();
            pools.any = Some(
                sqlx::any::AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(POOL_WAIT)
                    .connect_lazy(url)
                    .map_err(bad_url)?,
            );
        }
        Ok(pools)
    }

    /// Closes every pool, each within [`POOL_WAIT`]; the error says which still had a
    /// connection out, and where such connections usually hide.
    async fn close(&self) -> Option<DbError> {
        let mut held = Vec::new();
        #[cfg(feature = "sqlite")]
        if let Some(pool) = &self.sqlite {
            if !closed_in_time(pool.close()).await {
                held.push("SqlitePool");
            }
        }
        #[cfg(feature = "postgres")]
        if let Some(pool) = &self.postgres {
            if !closed_in_time(pool.close()).await {
                held.push("PgPool");
            }
        }
        #[cfg(feature = "any")]
        if let Some(pool) = &self.any {
            if !closed_in_time(pool.close()).await {
                held.push("AnyPool");
            }
        }
        (!held.is_empty()).then(|| still_held(&format!("the test's {}", held.join(", "))))
    }
}

/// What `#[databases(primary, analytics(migrations = ".."))]` gives: each database's name
/// and recipe, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabasesOptions {
    entries: &'static [(&'static str, &'static Recipe)],
}

impl DatabasesOptions {
    /// The named databases, in order (what `#[databases(..)]` expands to).
    pub const fn new(entries: &'static [(&'static str, &'static Recipe)]) -> Self {
        DatabasesOptions { entries }
    }
}

/// A test's named set of databases, `#[databases(primary, analytics(migrations = ".."))]`:
/// each fresh from its own template, all on one backend (PostgreSQL with
/// `TESTRIG_DATABASE_URL`, else SQLite), made at once.
///
/// ```
/// use testrig::db::Databases;
///
/// #[testrig::test]
/// #[databases(primary(migrations = "../tests/migrations/cell"), scratch(migrations = false))]
/// async fn two_databases(dbs: &Databases) {
///     assert_eq!(dbs.names(), ["primary", "scratch"]);
///     assert_ne!(dbs.get("primary").url(), dbs.get("scratch").url());
///     let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM instances")
///         .fetch_one(dbs.get("primary").any()).await.unwrap();
///     assert_eq!(n, 0);
/// }
/// # fn main() { two_databases(); }
/// ```
#[derive(Debug)]
pub struct Databases {
    databases: Vec<(&'static str, Database)>,
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", scope_hook = crate::features::db::poison::Claimed::hook, prepare = backend::prepare_either, claims = crate::features::db::poison::DATABASE)]
impl Databases {
    async fn setup(#[options] config: &DatabasesOptions) -> Result<Databases, DbError> {
        crate::features::db::poison::check("a database fixture");
        if config.entries.is_empty() {
            return Err(DbError::Database {
                what: "no databases to make".into(),
                cause: "name them with `#[databases(primary, analytics(..))]`".into(),
            });
        }
        let backend = Backend::either();
        let made = backend::all_at_once(config.entries.iter().map(|(name, recipe)| {
            let (name, recipe) = (*name, *recipe);
            async move {
                let database = Database::create(recipe, backend).await;
                database
                    .map(|database| (name, database))
                    .map_err(|error| DbError::Database { what: format!("database `{name}`"), cause: error.to_string() })
            }
        }))
        .await;
        let mut databases = Vec::with_capacity(made.len());
        let mut first_error = None;
        for result in made {
            match result {
                Ok(database) => databases.push(database),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if let Some(error) = first_error {
            // Nothing is left behind when one of them cannot be made.
            for (_, database) in databases {
                database.discard().await;
            }
            return Err(error);
        }
        Ok(Databases { databases })
    }

    async fn teardown(self) -> Result<(), DbError> {
        let mut first_error = None;
        for (_, database) in self.databases {
            if let Err(error) = database.teardown().await {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The database called `name`.
    ///
    /// # Panics
    /// For a name the test did not list; the message lists the ones it did.
    pub fn get(&self, name: &str) -> &Database {
        match self.databases.iter().find(|(known, _)| *known == name) {
            Some((_, database)) => database,
            None => panic!("unknown database `{name}`: this test has {}", self.names().join(", ")),
        }
    }

    /// The names, in the order listed.
    pub fn names(&self) -> Vec<&'static str> {
        self.databases.iter().map(|(name, _)| *name).collect()
    }
}

// A test's typed pool is the database's, shared, and closed by the database's teardown. Taken
// by value (`pool: SqlitePool`, as `#[sqlx::test]` hands it), a clone: the same pool.
#[cfg(feature = "sqlite")]
#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value = clone, scope_hook = crate::features::db::poison::Claimed::hook, claims = crate::features::db::poison::DATABASE)]
impl crate::Fixture for sqlx::SqlitePool {
    fn setup(database: &Database) -> sqlx::SqlitePool {
        database.sqlite().clone()
    }
}

#[cfg(feature = "postgres")]
#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value = clone, scope_hook = crate::features::db::poison::Claimed::hook, prepare = backend::prepare_postgres, claims = crate::features::db::poison::DATABASE)]
impl crate::Fixture for sqlx::PgPool {
    fn setup(database: &Database) -> sqlx::PgPool {
        database.postgres().clone()
    }
}

#[cfg(feature = "any")]
#[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value = clone, scope_hook = crate::features::db::poison::Claimed::hook, claims = crate::features::db::poison::DATABASE)]
impl crate::Fixture for sqlx::AnyPool {
    fn setup(database: &Database) -> sqlx::AnyPool {
        database.any().clone()
    }
}

// `#[sqlx::test]`'s other parameter shapes: a connection of the test's pool
// (`conn: PoolConnection<Sqlite>`), and what a test needs to build a pool of its own to the
// test's database (`opts: SqlitePoolOptions, connect: SqliteConnectOptions`).
macro_rules! sqlx_test_shapes {
    ($feature:literal, $db:ty, $pool:ty, $connect:ty, $options:expr) => {
        #[cfg(feature = $feature)]
        #[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value, scope_hook = crate::features::db::poison::Claimed::hook, claims = crate::features::db::poison::DATABASE)]
        impl crate::Fixture for sqlx::pool::PoolConnection<$db> {
            async fn setup(pool: &$pool) -> Result<sqlx::pool::PoolConnection<$db>, sqlx::Error> {
                pool.acquire().await
            }
        }

        #[cfg(feature = $feature)]
        #[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value = clone)]
        impl crate::Fixture for sqlx::pool::PoolOptions<$db> {
            fn setup() -> sqlx::pool::PoolOptions<$db> {
                $options
            }
        }

        #[cfg(feature = $feature)]
        #[testrig_macros::fixture(crate = crate, built_in = "testrig::db", by_value = clone, scope_hook = crate::features::db::poison::Claimed::hook, claims = crate::features::db::poison::DATABASE)]
        impl crate::Fixture for $connect {
            fn setup(pool: &$pool) -> $connect {
                (*pool.connect_options()).clone()
            }
        }
    };
}

// The options are sqlx::test's own.
sqlx_test_shapes!(
    "sqlite",
    sqlx::Sqlite,
    sqlx::SqlitePool,
    sqlx::sqlite::SqliteConnectOptions,
    sqlx::pool::PoolOptions::new().max_connections(1000)
);
sqlx_test_shapes!(
    "postgres",
    sqlx::Postgres,
    sqlx::PgPool,
    sqlx::postgres::PgConnectOptions,
    sqlx::pool::PoolOptions::new().max_connections(5).idle_timeout(Some(std::time::Duration::from_secs(1)))
);
