//! The PostgreSQL backend, used when `FIXTURE_DATABASE_URL` names a server.
//!
//! Each schema is migrated once into a template database (built under an advisory lock, into
//! a scratch name renamed when complete, so concurrent processes build it once and never see
//! half a template); every test database is `CREATE DATABASE .. TEMPLATE`, dropped at
//! teardown. Databases of processes that died (`kill -9`) are reaped on the next run.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::{AnyPool, Connection};

use crate::db::schema::{Kind, Schema, Templates};
use crate::db::DbError;

/// The server URL, if the tests should use PostgreSQL.
pub(crate) fn url() -> Option<&'static str> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(|| std::env::var("FIXTURE_DATABASE_URL").ok().filter(|url| !url.is_empty())).as_deref()
}

fn server_error(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> DbError {
    let what = what.into();
    move |error| DbError::Database { what, cause: error.to_string() }
}

async fn admin(url: &str) -> Result<PgConnection, DbError> {
    PgConnection::connect(url)
        .await
        .map_err(server_error("cannot connect to the PostgreSQL server in FIXTURE_DATABASE_URL"))
}

/// `url` with its database replaced by `database`.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let (head, tail) = url.split_at(start);
    let path_start = tail.find('/').unwrap_or(tail.len());
    let query_start = tail[path_start..].find('?').map_or(tail.len(), |i| path_start + i);
    format!("{head}{}/{database}{}", &tail[..path_start], &tail[query_start..])
}

/// A short tag for this machine, so reaping only ever considers this machine's processes.
fn host_tag() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    format!("{:06x}", fnv1a(host.trim().as_bytes()) & 0xff_ffff)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3))
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

fn identifier(text: &str, max: usize) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).take(max).collect()
}

/// A migrated template database.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) name: String,
    /// Whether its migrations leave every table empty: only then is emptying the tables a
    /// reset to the template's state; migrations that seed rows get a new database every time.
    resettable: bool,
}

/// The migrated template database for `schema`'s `kind`, built if missing.
async fn template(url: &str, schema: &'static Schema, kind: Kind) -> Result<Template, DbError> {
    static TEMPLATES: Templates<Template> = Templates::new();
    TEMPLATES.get_or_build(schema, kind, build_template(url, schema, kind)).await
}

async fn build_template(url: &str, schema: &'static Schema, kind: Kind) -> Result<Template, DbError> {
    let dir = schema.migrations(kind);
    let migration_error = |cause: String| DbError::Migration { schema: schema.name(), dir, cause };
    let hash = migrations_hash(dir).map_err(|e| migration_error(e.to_string()))?;
    // `v2`: templates carry the description `reset` reads; older ones are never reused.
    let name = format!("fixture_tpl_v2_{}_{}_{hash:016x}", identifier(schema.name(), 16), kind.label());
    let mut admin = admin(url).await?;
    reap_once(&mut admin).await;
    // One builder per template across every process sharing the server.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(hash as i64)
        .execute(&mut admin)
        .await
        .map_err(server_error("cannot take the template lock"))?;
    let built = build_locked(url, &mut admin, &name, dir, migration_error).await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(hash as i64).execute(&mut admin).await;
    let described = match built {
        // Whoever built it recorded whether its migrations left rows (see `describe_template`).
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
    execute(admin, &format!("DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)")).await?;
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
            Ok(()) => describe_template(&pool, &scratch).await,
            Err(error) => Err(error),
        };
        pool.close().await;
        result
    }
    .await;
    if let Err(error) = migrated {
        let _ = execute(admin, &format!("DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)")).await;
        return Err(error);
    }
    // Complete only now: a process killed before this line leaves a scratch database, which
    // the next build drops, never a half-migrated template.
    execute(admin, &format!("ALTER DATABASE \"{scratch}\" RENAME TO \"{name}\"")).await
}

/// Records on the template whether its migrations left rows in any table.
async fn describe_template(pool: &sqlx::PgPool, name: &str) -> Result<(), DbError> {
    let rows: (i64,) =
        sqlx::query_as(COUNT_ROWS).fetch_one(pool).await.map_err(server_error("cannot inspect the template"))?;
    let description = if rows.0 == 0 { EMPTY_TEMPLATE } else { "fixture:template:seeded" };
    let sql = format!("COMMENT ON DATABASE \"{name}\" IS '{description}'");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .map(drop)
        .map_err(server_error("cannot describe the template"))
}

async fn execute(admin: &mut PgConnection, sql: &str) -> Result<(), DbError> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(admin)
        .await
        .map(drop)
        .map_err(server_error(format!("`{}` failed", sql.split(" WITH").next().unwrap_or(sql))))
}

/// Databases of passed tests, reset to their template's state, for the next test to take:
/// `(template, database)`. Reset (`TRUNCATE`, ~10 ms) instead of drop and create (~200 ms
/// each here). Left over at exit, they are reaped by the next run like any dead process's.
static FREE: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// The comment of a template whose migrations leave every table empty: only then is emptying
/// the tables a reset to the template's state.
const EMPTY_TEMPLATE: &str = "fixture:template:empty";

/// The comment a pooled, reset database carries, followed by its template's name.
const FREE_MARK: &str = "fixture:free:";

/// A fresh database for one test: a reset one from the free list, or a new clone of the
/// template. Returns the pool, the database's name and its template.
pub(crate) async fn fresh(
    schema: &'static Schema,
    kind: Kind,
    label: &str,
) -> Result<(AnyPool, String, Template), DbError> {
    let url = url().ok_or(DbError::NotConfigured { what: "PostgreSQL" })?;
    let template = template(url, schema, kind).await?;
    let reused = {
        let mut free = FREE.lock().unwrap_or_else(PoisonError::into_inner);
        free.iter().position(|(t, _)| *t == template.name).map(|i| free.swap_remove(i).1)
    };
    let was_free = reused.is_some();
    let name = match reused {
        Some(name) => name,
        None => create(url, &template.name, label).await?,
    };
    match AnyPoolOptions::new().max_connections(4).connect(&with_database(url, &name)).await {
        Ok(pool) => {
            if was_free {
                // In use now: if this process dies, the next must not adopt it as clean.
                let unmark = format!(
                    "BEGIN; SET LOCAL synchronous_commit = off; COMMENT ON DATABASE \"{name}\" IS NULL; COMMIT;"
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(unmark))
                    .execute(&pool)
                    .await
                    .map_err(server_error("cannot mark a database in use"))?;
            }
            Ok((pool, name, template))
        }
        Err(error) => {
            let _ = drop_databases(std::slice::from_ref(&name)).await;
            Err(server_error(format!("cannot connect to test database {name}"))(error))
        }
    }
}

async fn create(url: &str, template: &str, label: &str) -> Result<String, DbError> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let name = format!(
        "fixture_t_{}_{}_{}_{}",
        host_tag(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        identifier(label, 16)
    );
    let mut admin = admin(url).await?;
    let created =
        execute(&mut admin, &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY")).await;
    let _ = admin.close().await;
    created.map(|()| name)
}

/// Hands a passed test's databases back: reset and kept for the next test when their template
/// allows it, dropped otherwise.
/// `databases`: `(template, database, the test's still open pool to it)`.
pub(crate) async fn release(databases: &[(Template, String, AnyPool)]) -> Result<(), DbError> {
    // All at once: each reset is a round trip on its own database.
    let mut tasks = tokio::task::JoinSet::new();
    for (template, name, pool) in databases.iter().cloned() {
        tasks.spawn(async move {
            let reset = reset(&template, &name, &pool).await;
            pool.close().await;
            (template, name, reset)
        });
    }
    let mut to_drop = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((template, name, Ok(true))) => {
                FREE.lock().unwrap_or_else(PoisonError::into_inner).push((template.name, name))
            }
            Ok((_, name, _)) => to_drop.push(name),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    drop_databases(&to_drop).await
}

const COUNT_ROWS: &str = "SELECT COALESCE(SUM((xpath('/row/c/text()', query_to_xml(format('SELECT COUNT(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint), 0)::bigint FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'";

/// Empties every table and restarts every sequence. `DELETE` is ~10x cheaper than `TRUNCATE`
/// on the small tables of a test (no new files); tables are retried until foreign keys stop
/// failing, and a cycle that never resolves falls back to `TRUNCATE .. CASCADE`.
const EMPTY_ALL: &str = "DO $$
DECLARE pending text[]; t text; progress boolean; s record;
BEGIN
  SELECT array_agg(format('%I.%I', schemaname, tablename)) INTO pending FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations';
  WHILE pending IS NOT NULL AND cardinality(pending) > 0 LOOP
    progress := false;
    FOREACH t IN ARRAY pending LOOP
      BEGIN
        EXECUTE 'DELETE FROM ' || t;
        pending := array_remove(pending, t);
        progress := true;
      EXCEPTION WHEN foreign_key_violation THEN NULL;
      END;
    END LOOP;
    IF NOT progress THEN
      EXECUTE 'TRUNCATE TABLE ' || array_to_string(pending, ', ') || ' CASCADE';
      pending := NULL;
    END IF;
  END LOOP;
  FOR s IN SELECT format('%I.%I', schemaname, sequencename) AS name FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE 'ALTER SEQUENCE ' || s.name || ' RESTART';
  END LOOP;
END $$";

/// Empties `database` if its template's tables start empty; `false` if it cannot be reused.
async fn reset(template: &Template, database: &str, pool: &AnyPool) -> Result<bool, DbError> {
    if !template.resettable {
        return Ok(false);
    }
    // Through the test's own pool (no new connection), in one transaction that does not wait
    // for the WAL flush: a test database needs no durability. The comment marks it clean, so
    // the next run can adopt it if this process ends with it in the pool.
    let sql = format!(
        "BEGIN; SET LOCAL synchronous_commit = off; {EMPTY_ALL}; COMMENT ON DATABASE \"{database}\" IS '{FREE_MARK}{}'; COMMIT;",
        template.name
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .map_err(server_error(format!("cannot reset {database}")))?;
    Ok(true)
}

/// Drops test databases; every one is attempted, the first failure is returned.
pub(crate) async fn drop_databases(names: &[String]) -> Result<(), DbError> {
    if names.is_empty() {
        return Ok(());
    }
    let url = url().ok_or(DbError::NotConfigured { what: "PostgreSQL" })?;
    let mut admin = admin(url).await?;
    let mut first_error = None;
    for name in names {
        if let Err(error) = execute(&mut admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await {
            first_error.get_or_insert(error);
        }
    }
    let _ = admin.close().await;
    first_error.map_or(Ok(()), Err)
}

/// Takes over this machine's test databases whose process is gone, once per process: those
/// the dead process had reset into its pool are renamed to this process and pooled again;
/// the rest (in use when it died, or of a failed test) are dropped.
async fn reap_once(admin: &mut PgConnection) {
    static REAPED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    if REAPED.set(()).is_err() {
        return;
    }
    // Written past the harness's capture: this concerns the run, not one test.
    let line = match reap(admin).await {
        Ok(Reaped { dropped: 0, adopted: 0 }) => return,
        Ok(Reaped { dropped, adopted }) => format!(
            "fixture: dropped {dropped} test database(s) left by processes that no longer run (and reused {adopted} clean ones)\n"
        ),
        Err(error) => format!("fixture: could not reap leaked test databases: {error}\n"),
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

pub(crate) struct Reaped {
    pub(crate) dropped: usize,
    pub(crate) adopted: usize,
}

pub(crate) async fn reap(admin: &mut PgConnection) -> Result<Reaped, DbError> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = format!("fixture_t_{}_", host_tag());
    let found: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d WHERE starts_with(d.datname, $1)",
    )
    .bind(&prefix)
    .fetch_all(&mut *admin)
    .await
    .map_err(server_error("cannot list databases"))?;
    let templates: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE starts_with(datname, 'fixture_tpl_')")
            .fetch_all(&mut *admin)
            .await
            .map_err(server_error("cannot list databases"))?;
    let mut reaped = Reaped { dropped: 0, adopted: 0 };
    for (name, comment) in found {
        let mut parts = name[prefix.len()..].splitn(3, '_');
        let pid = parts.next().and_then(|pid| pid.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists());
        if alive {
            continue;
        }
        let label = parts.nth(1).unwrap_or("db");
        let clean_template = comment
            .as_deref()
            .and_then(|comment| comment.strip_prefix(FREE_MARK))
            .filter(|template| templates.iter().any(|(t,)| t == template));
        if let Some(template) = clean_template {
            let adopted = format!("{prefix}{}_a{}_{label}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
            // Another process may adopt it first; then the rename fails and it is theirs.
            if execute(admin, &format!("ALTER DATABASE \"{name}\" RENAME TO \"{adopted}\"")).await.is_ok() {
                FREE.lock().unwrap_or_else(PoisonError::into_inner).push((template.to_owned(), adopted));
                reaped.adopted += 1;
            }
        } else if execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.is_ok() {
            reaped.dropped += 1;
        }
    }
    Ok(reaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(with_database("postgres://u:p@h:5432/postgres", "t1"), "postgres://u:p@h:5432/t1");
        assert_eq!(with_database("postgres://u@h/postgres?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }

    #[test]
    fn identifiers_are_lowercase_alphanumerics() {
        assert_eq!(identifier("My-Schema_1", 16), "myschema1");
    }
}
