//! A connection per pooled test database that outlives the test that used it.
//!
//! A tokio socket belongs to the runtime whose reactor registered it, and every test has its
//! own runtime, gone when the test ends. So the connection that resets a database and marks it
//! taken — the keeper — is opened and only ever used on one worker thread kept for the whole
//! process: a reset then runs on a server process whose catalog caches are warm (~2 ms here)
//! instead of paying a connect (TCP, SCRAM, a new server process: ~10 ms) and cold caches.
//!
//! The test's own pool is not shared: sqlx opens extra connections inside whichever runtime
//! asks for them, and such a connection kept past its test's runtime fails in the next one.

use std::sync::OnceLock;

use sqlx::postgres::PgConnection;
use sqlx::Connection;
use tokio::runtime::{Builder, Runtime};

use super::reset::Check;
use super::server::within_connect_timeout;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        // One thread: it only drives the keepers' sockets.
        Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("testrig-db-keeper")
            .enable_all()
            .build()
            .expect("testrig: cannot start the thread that keeps database connections")
    })
}

/// Runs `work` on the keepers' runtime, whatever runtime awaits it.
async fn on_keeper_thread<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    match runtime().spawn(work).await {
        Ok(done) => done,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => Err(sqlx::Error::Io(std::io::Error::other(error.to_string()))),
        },
    }
}

/// An open connection to one pooled test database, living on the keepers' thread.
pub(super) struct Keeper(PgConnection);

/// A new keeper connected to `url` within [`connect_timeout`]; past it, an I/O error saying
/// so, naming the server.
///
/// [`connect_timeout`]: super::server::connect_timeout
pub(super) async fn open_keeper(url: &str) -> Result<Keeper, sqlx::Error> {
    let opened = within_connect_timeout(url, Keeper::open(url.to_owned())).await;
    opened.map_err(|timed_out| {
        sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, timed_out.to_string()))
    })?
}

impl Keeper {
    pub(super) async fn open(url: String) -> Result<Keeper, sqlx::Error> {
        on_keeper_thread(async move {
            let mut connection = PgConnection::connect(&url).await?;
            crate::features::db::sql::run_on(&mut connection, super::reset::SESSION_BOUNDS).await?;
            Ok(Keeper(connection))
        })
        .await
    }

    /// Closes it, waiting for the server to have the session ended (a closed session no
    /// longer keeps a rename or drop of its database from going through).
    pub(super) async fn close(self) {
        let Keeper(connection) = self;
        let _ = on_keeper_thread(async move { connection.close().await }).await;
    }

    /// The text `query` returns (one row, one column; `None` for NULL). A keeper whose
    /// query failed is closed, as in [`Keeper::execute`].
    pub(super) async fn text(self, query: String) -> Result<(Keeper, Option<String>), sqlx::Error> {
        let Keeper(mut connection) = self;
        on_keeper_thread(async move {
            let found: Option<String> =
                sqlx::query_scalar(crate::features::db::sql::trusted(&query)).fetch_one(&mut connection).await?;
            Ok((Keeper(connection), found))
        })
        .await
    }

    /// Runs `sql` (several statements allowed) once `check`, if any, holds, with no other
    /// session on the database (any there are ended first, then the catalog is checked);
    /// when it does not hold, the server's refusal instead ([`super::reset::refusal_sql`]). A
    /// keeper whose statement failed is closed, since its session state is unknown.
    pub(super) async fn execute(self, check: Option<Check>, sql: String) -> Result<Keeper, sqlx::Error> {
        let Keeper(mut connection) = self;
        on_keeper_thread(async move {
            let sql = match check {
                Some(check) => {
                    // The sessions first, the catalog after, in a snapshot of its own: read in
                    // one statement, the catalog's snapshot came before the count, and a
                    // session could commit (DDL, its temporary tables' drop as it exited) and
                    // leave in between: counted gone, its change read or not by chance.
                    let sessions: Option<i32> = ask(&mut connection, super::reset::SESSIONS_QUERY).await?;
                    if sessions.unwrap_or(0) > 1 {
                        crate::features::db::sql::run_on(&mut connection, &super::reset::end_sessions_sql()).await?;
                    }
                    let found: Option<String> = ask(&mut connection, &check.query).await?;
                    if found.as_deref() == Some(check.expected.as_str()) {
                        sql
                    } else {
                        super::reset::refusal_sql()
                    }
                }
                None => sql,
            };
            crate::features::db::sql::run_on(&mut connection, &sql).await?;
            Ok(Keeper(connection))
        })
        .await
    }
}

/// The one value `query` returns ([`super::reset::SESSIONS_QUERY`]'s count, [`Check::query`]'s
/// fingerprint). A prepared statement, planned once per connection (planning the check costs
/// more than running it).
///
/// [`Check::query`]: super::reset::Check
async fn ask<T>(connection: &mut PgConnection, query: &str) -> Result<T, sqlx::Error>
where
    (T,): for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    T: Send + Unpin,
{
    sqlx::query_scalar(crate::features::db::sql::trusted(query)).persistent(true).fetch_one(connection).await
}
