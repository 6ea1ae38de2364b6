//! Where a test's databases live: SQLite files (embedded) or databases on a PostgreSQL
//! server. Everything above this module — the `Database`, `Databases` and `Cells` fixtures —
//! asks for a database made from a [`Recipe`] and gets its URL, never a backend's details.

#[cfg(feature = "sqlite")]
use std::path::PathBuf;

#[cfg(feature = "postgres")]
use crate::features::db::postgres;
use crate::features::db::recipe::Recipe;
#[cfg(feature = "sqlite")]
use crate::features::db::sqlite;
use crate::features::db::DbError;

/// Which backend makes a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file of its own per database, copied from a template built once per process.
    Sqlite,
    /// A database of its own on the server in `TESTRIG_DATABASE_URL` (or `DATABASE_URL`).
    Postgres,
}

impl Backend {
    /// For fixtures that work on either: PostgreSQL when `TESTRIG_DATABASE_URL` is set (or
    /// when SQLite is not compiled in), else embedded SQLite.
    pub(crate) fn either() -> Backend {
        #[cfg(feature = "postgres")]
        if postgres::requested() || cfg!(not(feature = "sqlite")) {
            return Backend::Postgres;
        }
        Backend::Sqlite
    }

    /// The backend's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Begins getting `backend`'s server ahead of the test's setups (a fixture's `prepare`): with
/// no URL, PostgreSQL's throwaway server starts, on a thread of its own, while the fixtures
/// planned before the database set up. SQLite needs nothing ahead.
pub(crate) fn begin(backend: Backend) {
    #[cfg(feature = "postgres")]
    if backend == Backend::Postgres {
        postgres::find_early();
    }
    #[cfg(not(feature = "postgres"))]
    let _ = backend;
}

/// The `prepare` of the fixtures whose databases are on [`Backend::either`].
pub(crate) fn prepare_either(_options: &dyn std::any::Any) {
    begin(Backend::either());
}

/// The `prepare` of PostgreSQL's own fixtures (its pool).
#[cfg(feature = "postgres")]
pub(crate) fn prepare_postgres(_options: &dyn std::any::Any) {
    begin(Backend::Postgres);
}

/// Why `backend` cannot make databases here, if it cannot: testrig built without it, or, for
/// PostgreSQL, no server URL and no server binaries to start one from. (A server that fails
/// to start is no reason to skip: its test fails, saying why.)
pub(crate) fn unavailable(backend: Backend) -> Option<String> {
    match backend {
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => None,
        #[cfg(feature = "postgres")]
        Backend::Postgres => postgres::no_server(),
        #[allow(unreachable_patterns)]
        other => Some(format!(
            "testrig was built without its `{}` feature",
            if other == Backend::Sqlite { "sqlite" } else { "postgres" }
        )),
    }
}

/// A database made for one test, and how to get rid of it.
pub(crate) enum Created {
    #[cfg(feature = "sqlite")]
    File(PathBuf),
    #[cfg(feature = "postgres")]
    Server(postgres::TestDatabase),
}

impl Created {
    /// A fresh database made from `recipe` on `backend`; `label` names it (`api`, `cell1`,
    /// `main`) and `scope_id` ties it to its test.
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) async fn new(
        backend: Backend,
        recipe: &'static Recipe,
        scope_id: u64,
        label: &str,
    ) -> Result<Created, DbError> {
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => Ok(Created::File(sqlite::fresh(recipe, &sqlite::unique_name(scope_id, label)).await?)),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Ok(Created::Server(postgres::fresh(recipe, label).await?)),
            #[allow(unreachable_patterns)]
            other => Err(DbError::Database {
                what: format!("cannot make a {} database", other.name()),
                cause: format!(
                    "testrig was built without its `{}` feature",
                    if other == Backend::Sqlite { "sqlite" } else { "postgres" }
                ),
            }),
        }
    }

    /// The URL a client connects to it with.
    pub(crate) fn url(&self) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Created::File(path) => sqlite::url(path),
            #[cfg(feature = "postgres")]
            Created::Server(database) => database.url(),
        }
    }

    /// Where it is: the file on SQLite, the database name on PostgreSQL.
    pub(crate) fn location(&self) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            Created::File(path) => path.display().to_string(),
            #[cfg(feature = "postgres")]
            Created::Server(database) => database.name.clone(),
        }
    }
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.location())
    }
}

/// Runs `jobs` at once — each a few round trips to the server, or a file copy — and gives
/// their results in the order given.
pub(crate) async fn all_at_once<T, F>(jobs: impl IntoIterator<Item = F>) -> Vec<Result<T, DbError>>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, DbError>> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for (position, job) in jobs.into_iter().enumerate() {
        tasks.spawn(async move { (position, job.await) });
    }
    let mut results: Vec<(usize, Result<T, DbError>)> = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(done) => results.push(done),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    results.sort_by_key(|(position, _)| *position);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Hands a passed test's databases back: files removed; server databases reset for the next
/// test or dropped.
pub(crate) async fn release(created: Vec<Created>) -> Result<(), DbError> {
    #[cfg(feature = "postgres")]
    let mut databases = Vec::new();
    for made in created {
        match made {
            #[cfg(feature = "sqlite")]
            Created::File(path) => sqlite::remove_database(&path),
            #[cfg(feature = "postgres")]
            Created::Server(database) => databases.push(database),
        }
    }
    #[cfg(feature = "postgres")]
    if !databases.is_empty() {
        return postgres::release(databases).await;
    }
    Ok(())
}

/// Keeps a failed test's databases for inspection: says where they are, and marks the server's
/// so that no reaper drops them during this run or for a while after.
pub(crate) async fn keep(created: &[Created]) {
    keep_for_inspection(&created.iter().map(Created::location).collect::<Vec<_>>());
    #[cfg(feature = "postgres")]
    {
        let databases: Vec<&postgres::TestDatabase> = created
            .iter()
            .filter_map(|made| match made {
                Created::Server(database) => Some(database),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect();
        if !databases.is_empty() {
            postgres::mark_kept(&databases).await;
        }
    }
}

/// Gets rid of databases of a setup that failed half-way: files removed, databases dropped.
pub(crate) async fn discard(created: &[Created]) -> Result<(), DbError> {
    #[cfg(feature = "postgres")]
    let mut names = Vec::new();
    for made in created {
        match made {
            #[cfg(feature = "sqlite")]
            Created::File(path) => sqlite::remove_database(path),
            #[cfg(feature = "postgres")]
            Created::Server(database) => names.push(database.name.clone()),
        }
    }
    #[cfg(feature = "postgres")]
    return postgres::drop_databases(&names).await;
    #[cfg(not(feature = "postgres"))]
    Ok(())
}

/// Says where a failed test's databases are, on stderr (shown with the test's failure); the
/// next run's reaping removes them once this process is gone.
fn keep_for_inspection(locations: &[String]) {
    let test =
        crate::core::scope::Scope::with_current(|scope| scope.map(crate::core::scope::Scope::test_name)).unwrap_or("?");
    let line =
        format!("testrig: test `{test}` failed; its databases are kept for inspection: {}\n", locations.join(", "));
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

/// sqlx's `Any` drivers, which an `AnyPool` needs before it connects; once per process.
#[cfg(feature = "any")]
pub(crate) fn install_drivers() {
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(sqlx::any::install_default_drivers);
}
