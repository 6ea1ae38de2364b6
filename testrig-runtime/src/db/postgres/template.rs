//! Migrated template databases: built once per schema and migration hash, on the server, for
//! every process sharing it.

use std::path::Path;

use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::Connection;

use super::{admin, drop_database, execute, fnv1a, identifier, server_error, with_database};
use crate::db::schema::{Kind, Schema, Templates};
use crate::db::DbError;

/// A migrated template database.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) name: String,
    /// Whether its migrations leave every table empty: only then is emptying the tables a
    /// reset to the template's state; migrations that seed rows get a new database every time.
    pub(crate) resettable: bool,
}

/// The comment of a template whose migrations leave every table empty.
const EMPTY_TEMPLATE: &str = "testrig:template:empty";

/// Every template's name starts so; `v2` templates carry the description `resettable` is
/// read from, older ones are never reused.
pub(crate) const TEMPLATE_PREFIX: &str = "testrig_tpl_v2_";

/// The migrated template database for `schema`'s `kind`, built if missing.
pub(crate) async fn template(url: &str, schema: &'static Schema, kind: Kind) -> Result<Template, DbError> {
    static TEMPLATES: Templates<Template> = Templates::new();
    TEMPLATES.get_or_build(schema, kind, build(url, schema, kind)).await
}

/// A hash of the migration files' names and contents: a changed migration gets a new template.
fn migrations_hash(dir: &str) -> Result<u64, std::io::Error> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?.flatten().map(|entry| entry.path()).collect();
    files.sort();
    let mut bytes = Vec::new();
    for file in files {
        bytes.extend(file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        bytes.extend(std::fs::read(&file)?);
    }
    Ok(fnv1a(&bytes))
}

async fn build(url: &str, schema: &'static Schema, kind: Kind) -> Result<Template, DbError> {
    let dir = schema.migrations(kind);
    let migration_error = |cause: String| DbError::Migration { schema: schema.name(), dir, cause };
    let hash = migrations_hash(dir).map_err(|e| migration_error(e.to_string()))?;
    let name = format!("{TEMPLATE_PREFIX}{}_{}_{hash:016x}", identifier(schema.name(), 16), kind.label());
    let mut admin = admin(url).await?;
    super::reap::reap_once(&mut admin).await;
    // One builder per template across every process sharing the server.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(hash as i64)
        .execute(&mut admin)
        .await
        .map_err(server_error("cannot take the template lock"))?;
    let built = build_locked(url, &mut admin, &name, dir, migration_error).await;
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
    Ok(Template { resettable: description.as_deref() == Some(EMPTY_TEMPLATE), name })
}

async fn build_locked(
    url: &str,
    admin: &mut PgConnection,
    name: &str,
    dir: &'static str,
    migration_error: impl Fn(String) -> DbError,
) -> Result<(), DbError> {
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut *admin)
        .await
        .map_err(server_error("cannot list databases"))?;
    if exists.is_some() {
        return Ok(());
    }
    let scratch = format!("{name}_b{}", std::process::id());
    drop_database(admin, &scratch).await?;
    execute(admin, &format!("CREATE DATABASE \"{scratch}\"")).await?;
    let migrated = async {
        let migrator =
            sqlx::migrate::Migrator::new(Path::new(dir)).await.map_err(|e| migration_error(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&with_database(url, &scratch))
            .await
            .map_err(server_error("cannot connect to the template being built"))?;
        let result = migrator.run(&pool).await.map_err(|e| migration_error(e.to_string()));
        let result = match result {
            Ok(()) => describe(&pool, &scratch).await,
            Err(error) => Err(error),
        };
        pool.close().await;
        result
    }
    .await;
    if let Err(error) = migrated {
        let _ = drop_database(admin, &scratch).await;
        return Err(error);
    }
    // Complete only now: a process killed before this line leaves a scratch database, which
    // the next build drops, never a half-migrated template.
    execute(admin, &format!("ALTER DATABASE \"{scratch}\" RENAME TO \"{name}\"")).await
}

/// Records on the template whether its migrations left rows in any table.
async fn describe(pool: &sqlx::PgPool, name: &str) -> Result<(), DbError> {
    let rows: (i64,) = sqlx::query_as(super::reset::COUNT_ROWS)
        .fetch_one(pool)
        .await
        .map_err(server_error("cannot inspect the template"))?;
    let description = if rows.0 == 0 { EMPTY_TEMPLATE } else { "testrig:template:seeded" };
    let sql = format!("COMMENT ON DATABASE \"{name}\" IS '{description}'");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .map(drop)
        .map_err(server_error("cannot describe the template"))
}
