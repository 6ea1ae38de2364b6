//! Migrated template databases: built once per schema and migration hash, on the server, for
//! every process sharing it.

use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::Connection;

use super::liveness::{owner_id, use_template};
use super::names::{literal, scratch_name, TEMPLATE_PREFIX};
use super::reset::{check_query, record_facts_sql, Facts, FINGERPRINT_GENERATOR};
use super::server::{admin, drop_database, execute, server_error, with_database, within_connect_timeout};
use crate::features::db::recipe::{apply, Recipe, Templates};
use crate::features::db::DbError;
use crate::leaf::fnv::fnv1a;

/// A migrated and seeded template database.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) name: String,
    /// What its build recorded to reset its clones exactly (see [`super::reset`]).
    pub(crate) facts: std::sync::Arc<Facts>,
    /// The query checking a clone before its reset ([`super::reset::check_query`]).
    pub(crate) check: std::sync::Arc<str>,
}

/// The migrated and seeded template database for `recipe`, built if missing.
pub(crate) async fn template(url: &str, recipe: &'static Recipe) -> Result<Template, DbError> {
    static TEMPLATES: Templates<Template> = Templates::new();
    TEMPLATES.get_or_build(recipe, |hash| build(url, recipe, hash)).await
}

async fn build(url: &str, recipe: &'static Recipe, hash: u64) -> Result<Template, DbError> {
    let mut admin = admin(url).await?;
    // Per role: a database can be cloned only by its owner (or a superuser), and the objects
    // of a clone stay the template owner's, so a second CREATEDB role gets templates of its own.
    let (role,): (String,) = sqlx::query_as("SELECT current_user::text")
        .fetch_one(&mut admin)
        .await
        .map_err(server_error("cannot read the server role"))?;
    // The way facts are recorded is part of a template: a testrig that records them
    // differently builds its own instead of trusting another version's.
    let hash = hash
        ^ fnv1a(record_facts_sql().as_bytes())
        ^ fnv1a(FINGERPRINT_GENERATOR.as_bytes()).rotate_left(31)
        // The description's layout: a template described with other fields is another one.
        ^ fnv1a(Facts::default().describe().as_bytes()).rotate_left(7)
        ^ fnv1a(role.as_bytes()).rotate_left(17);
    let name = format!("{TEMPLATE_PREFIX}{}_{hash:016x}", recipe.label());
    // Before looking for it: a reaper drops no template a live process marked.
    use_template(url, &name).await?;
    let scratch = scratch_name(hash, owner_id(url).await?);
    // One builder per template across every process sharing the server.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(hash as i64)
        .execute(&mut admin)
        .await
        .map_err(server_error("cannot take the template lock"))?;
    let built = build_locked(url, &mut admin, &name, &scratch, recipe).await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(hash as i64).execute(&mut admin).await;
    let described = match built {
        // Whoever built it recorded whether its migrations left rows (see `describe`).
        Ok(()) => sqlx::query_as::<_, (Option<String>,)>(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
        )
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .map_err(server_error("cannot read the template's description")),
        Err(error) => Err(error),
    };
    let _ = admin.close().await;
    let (description,) = described?;
    let Some(facts) = description.as_deref().and_then(Facts::read) else {
        return Err(DbError::Database {
            what: format!("template {name} has no reset facts"),
            cause: "it was built by another version of testrig; drop it and the next test builds it again".into(),
        });
    };
    Ok(Template { check: check_query(&facts.fingerprint_query).into(), facts: std::sync::Arc::new(facts), name })
}

async fn build_locked(
    url: &str,
    admin: &mut PgConnection,
    name: &str,
    scratch: &str,
    recipe: &'static Recipe,
) -> Result<(), DbError> {
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut *admin)
        .await
        .map_err(server_error("cannot list databases"))?;
    if exists.is_some() {
        return Ok(());
    }
    drop_database(admin, scratch).await?;
    execute(admin, &format!("CREATE DATABASE \"{scratch}\"")).await?;
    let migrated = async {
        let scratch_url = with_database(url, scratch);
        let pool = within_connect_timeout(url, PgPoolOptions::new().max_connections(1).connect(&scratch_url))
            .await?
            .map_err(server_error("cannot connect to the template being built"))?;
        let result = async {
            apply(recipe, &pool).await?;
            describe(&pool, scratch).await
        }
        .await;
        pool.close().await;
        result
    }
    .await;
    if let Err(error) = migrated {
        let _ = drop_database(admin, scratch).await;
        return Err(error);
    }
    // Complete only now: a process killed before this line leaves a scratch database, which
    // a reaper drops once the server says its builder is gone, never a half-migrated template.
    execute(admin, &format!("ALTER DATABASE \"{scratch}\" RENAME TO \"{name}\"")).await
}

/// Records on the template what its clones are reset from: its catalog's fingerprint and the
/// query that takes it (generated here, once, from the server's catalog: every process reads
/// it back instead of generating it again), the rows of its non-empty tables, its sequences'
/// values and its materialized views' content (see [`super::reset`]).
async fn describe(pool: &sqlx::PgPool, name: &str) -> Result<(), DbError> {
    let mut session = pool.acquire().await.map_err(server_error("cannot inspect the template"))?;
    crate::features::db::sql::run_on(&mut session, record_facts_sql())
        .await
        .map_err(server_error("cannot record the template's facts"))?;
    let recorded: Vec<(String, String)> = sqlx::query_as("SELECT kind, body FROM pg_temp.testrig_facts")
        .fetch_all(&mut *session)
        .await
        .map_err(server_error("cannot read the template's facts"))?;
    crate::features::db::sql::run_on(&mut session, "DROP TABLE pg_temp.testrig_facts")
        .await
        .map_err(server_error("cannot drop the template's facts table"))?;
    // Without the facts table, as a clone has no such table.
    let fingerprint_query: String = sqlx::query_scalar(FINGERPRINT_GENERATOR)
        .fetch_one(&mut *session)
        .await
        .map_err(server_error("cannot read the server's catalog tables"))?;
    let fingerprint: String = sqlx::query_scalar(crate::features::db::sql::trusted(&fingerprint_query))
        .fetch_one(&mut *session)
        .await
        .map_err(server_error("cannot fingerprint the template's catalog"))?;
    let built = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut facts = Facts { built, fingerprint, fingerprint_query, ..Facts::default() };
    for (kind, body) in recorded {
        match kind.as_str() {
            "rows" => facts.rows.push(body),
            "matview" => facts.matviews.push(body),
            "table" => facts.tables.push(body),
            _ => facts.sequences.push(body),
        }
    }
    let sql = format!("COMMENT ON DATABASE \"{name}\" IS {}", literal(&facts.describe()));
    crate::features::db::sql::run_on(&mut session, &sql).await.map_err(server_error("cannot describe the template"))
}
