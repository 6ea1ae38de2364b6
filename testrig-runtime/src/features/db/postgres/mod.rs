//! The PostgreSQL backend, used when `TESTRIG_DATABASE_URL` names a server.
//!
//! Each schema is migrated once into a template database ([`template`]); a test gets a
//! database cloned from it (`CREATE DATABASE .. TEMPLATE`), or — far cheaper — one a passed
//! test handed back, emptied ([`reset`]), with its connection still open ([`connections`]).
//! Each process proves itself alive to the server ([`liveness`]); databases whose owner is
//! gone are reaped, or adopted by a later process as it needs them ([`reap`]).
//!
//! The modules name each other one way only, and none names this file, so each reads with
//! only those below it in mind (`.ci/import_graph.py --items-of-parents` shows the graph):
//! [`server`] (which server, and the statements run on it) and [`names`] (what testrig's
//! databases are called and commented with) name no other; a [`reset`]'s check and
//! statements go in one trip to the keeper thread of [`connections`]; [`pooled`] databases
//! keep their keeper, as [`liveness`] keeps its session on one; a [`template`] build
//! records what the reset restores, and marks the template used through `liveness` before
//! looking for it; [`reap`] asks `liveness` who is gone and lists the clean databases left
//! as `pooled` ones. This file decides when each runs: the reaper once, before the first
//! template (a build never reaps).

mod connections;
#[cfg(unix)]
mod handout;
mod liveness;
mod names;
mod pooled;
mod reap;
mod reset;
mod server;
mod supply;
mod template;
// Linux's: the server dies with the process that started it (`PR_SET_PDEATHSIG`), which
// other systems cannot promise; there a server is given by URL.
#[cfg(any(target_os = "linux", target_os = "android"))]
mod throwaway;

use sqlx::Connection;

use crate::features::db::recipe::Recipe;
use crate::features::db::DbError;
use connections::Keeper;
use names::{kept_mark, literal};
use pooled::Pooled;
pub(crate) use server::find_early;
use server::{admin, execute, require_url, server_error, url, with_database};
pub(crate) use supply::drop_databases;
use supply::{create, give_back, not_reusable, on_database, take_pooled};
use template::Template;

/// The PostgreSQL server testrig makes test databases on, as a URL: `TESTRIG_DATABASE_URL`,
/// else `DATABASE_URL`, else the run's throwaway server's (on Linux, with PostgreSQL's server
/// binaries installed: started by the first call or test that needs it, stopped after the
/// run, as for a test's `&PgPool`). For what shares the tests' server: a service under test
/// started by hand, a second client or role, a look at what a test left. Under nextest, from a
/// testrig test it is the run's server (its keeper's); from elsewhere (a plain `#[test]`) the
/// run's server if one runs already, else one of this process's own.
///
/// # Errors
///
/// [`DbError::NoUrl`] with neither a URL nor the binaries (naming both and where it looked),
/// a URL that is not PostgreSQL's, or why the throwaway server did not start.
///
/// ```
/// match testrig::db::server_url() {
///     Ok(url) => assert!(url.starts_with("postgres")),
///     Err(why) => println!("no PostgreSQL server here: {why}"),
/// }
/// ```
pub fn server_url() -> Result<&'static str, DbError> {
    require_url()
}

/// Whether tests that work on either backend should use PostgreSQL: only when
/// `TESTRIG_DATABASE_URL` asks for it (an app's `DATABASE_URL`, set for `sqlx::query!`, does not).
pub(crate) fn requested() -> bool {
    std::env::var_os("TESTRIG_DATABASE_URL").is_some_and(|url| !url.is_empty())
}

/// Why there is no server to make databases on, if there is none: no URL, and no binaries
/// to start a throwaway one from.
pub(crate) fn no_server() -> Option<String> {
    match require_url() {
        Err(error @ DbError::NoUrl { .. }) => Some(error.to_string()),
        _ => None,
    }
}

/// One test's database on the server.
pub(crate) struct TestDatabase {
    pub(crate) name: String,
    from: Source,
}

/// Where a test's database came from, and so where it goes back to.
enum Source {
    /// Made or reused by this process, which resets it after the test.
    Here {
        template: Template,
        /// The connection that marked it taken, kept to reset it.
        keeper: Option<Keeper>,
    },
    /// Claimed from the run's handout (nextest), handed back to its keeper to reset.
    #[cfg(unix)]
    Handout(handout::Claim),
}

/// A fresh database for one test: under nextest, one the run's handout keeps ready; else a
/// reset one from the free list, or a new clone of the template. Its URL is
/// [`TestDatabase::url`].
pub(crate) async fn fresh(recipe: &'static Recipe, label: &str) -> Result<TestDatabase, DbError> {
    let url = require_url()?;
    let database = obtain(url, recipe, label).await?;
    if crate::leaf::show::enabled() {
        let line = format!("testrig: database `{label}` is {} on {}\n", database.name, which_server(url));
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    Ok(database)
}

/// Which server `url` names, as `TESTRIG_SHOW` says (its password left out).
fn which_server(url: &str) -> String {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(throwaway) = throwaway::describe(url) {
        return throwaway;
    }
    let rest = url.find("://").map_or(url, |i| &url[i + 3..]);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("the server at {host} (TESTRIG_DATABASE_URL or DATABASE_URL)")
}

async fn obtain(url: &'static str, recipe: &'static Recipe, label: &str) -> Result<TestDatabase, DbError> {
    #[cfg(unix)]
    if let Some(handout) = handout::for_this_run(url) {
        if let Some((name, claim)) = handout.claim(recipe, label).await? {
            return Ok(TestDatabase { name, from: Source::Handout(claim) });
        }
    }
    let owner = liveness::owner_id(url).await?;
    reap::reap_once(url).await;
    let template = template::template(url, recipe).await?;
    let database = match take_pooled(url, &template).await {
        Some((name, keeper)) => TestDatabase { name, from: Source::Here { template, keeper } },
        None => {
            let name = create(url, owner, &template.name, label).await?;
            TestDatabase { name, from: Source::Here { template, keeper: None } }
        }
    };
    Ok(database)
}

impl TestDatabase {
    /// The URL of this database on the server (with the server URL's credentials).
    pub(crate) fn url(&self) -> String {
        url().map_or_else(String::new, |url| with_database(url, &self.name))
    }
}

/// Hands a passed test's databases back once the test's pools are closed: reset and kept for
/// the next test when their template allows it, dropped otherwise.
pub(crate) async fn release(databases: Vec<TestDatabase>) -> Result<(), DbError> {
    let url = require_url()?;
    // All at once: each reset is a round trip on its own database.
    let mut tasks = tokio::task::JoinSet::new();
    for TestDatabase { name, from } in databases {
        let (template, keeper) = match from {
            Source::Here { template, keeper } => (template, keeper),
            #[cfg(unix)]
            Source::Handout(claim) => {
                claim.give_back();
                continue;
            }
        };
        let url = with_database(url, &name);
        tasks.spawn(async move {
            let reset = on_database(
                url,
                keeper,
                Some(reset::check(&template.check, &template.facts)),
                reset::reset_sql(&template.name, &template.facts, &name),
            )
            .await;
            (name, template, reset)
        });
    }
    let mut to_drop = Vec::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((name, template, Ok(keeper))) => {
                give_back(Pooled { template: template.name, name, keeper: Some(keeper) })
            }
            // The test changed the schema: not reusable, and no failure of the test.
            Ok((name, _, Err(error))) if not_reusable(&error) => to_drop.push(name),
            Ok((name, _, Err(error))) => {
                first_error.get_or_insert(server_error(format!("cannot reset {name}"))(error));
                to_drop.push(name);
            }
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    let dropped = drop_databases(&to_drop).await;
    first_error.map_or(dropped, Err)
}

/// Marks a failed test's databases kept for inspection: no reaper drops them during this run
/// (nextest's `NEXTEST_RUN_ID`) or within [`names::KEPT_FOR`] after. Best effort: the test
/// has failed already, and an unmarked one is still kept while this process runs.
pub(crate) async fn mark_kept(databases: &[&TestDatabase]) {
    #[cfg(unix)]
    for database in databases {
        if let Source::Handout(claim) = &database.from {
            claim.keep();
        }
    }
    let Ok(url) = require_url() else { return };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(where_) = throwaway::keep_for_inspection(url) {
        let line = format!("testrig: the failed test's PostgreSQL databases are {where_}\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    let Ok(mut admin) = admin(url).await else { return };
    let mark = kept_mark();
    for database in databases {
        let name = &database.name;
        let _ = execute(&mut admin, &format!("COMMENT ON DATABASE \"{name}\" IS {}", literal(&mark))).await;
    }
    let _ = admin.close().await;
}
