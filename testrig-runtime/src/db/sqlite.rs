//! The embedded backend: each schema is migrated once per process into a template file;
//! every test database is a copy of those bytes, not a re-run of the migrations.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::db::recipe::{Recipe, Templates};
use crate::db::DbError;

/// The migrated and seeded image of `recipe`, built on first use in this process.
async fn template(recipe: &'static Recipe) -> Result<Arc<[u8]>, DbError> {
    static TEMPLATES: Templates<Arc<[u8]>> = Templates::new();
    TEMPLATES.get_or_build(recipe, |hash| build_template(recipe, hash)).await
}

async fn build_template(recipe: &'static Recipe, hash: u64) -> Result<Arc<[u8]>, DbError> {
    let migrator = match recipe.migrations {
        Some(dir) => Some(sqlx::migrate::Migrator::new(Path::new(dir)).await.map_err(|e| recipe.migration_error(e))?),
        None => None,
    };
    let path = store()?.join(format!("template-{}-{hash:016x}.db", recipe.label()));
    remove_database_files(&path);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete)
        .synchronous(SqliteSynchronous::Off);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(|e| {
        DbError::Database { what: format!("cannot create the template at {}", path.display()), cause: e.to_string() }
    })?;
    let made = async {
        if let Some(migrator) = migrator {
            migrator.run(&pool).await.map_err(|e| recipe.migration_error(e))?;
        }
        for seed in recipe.seeds {
            sqlx::raw_sql(sqlx::AssertSqlSafe(seed.sql))
                .execute(&pool)
                .await
                .map_err(|e| recipe.seed_error(seed, e))?;
        }
        Ok(())
    }
    .await;
    pool.close().await;
    if let Err(error) = made {
        remove_database_files(&path);
        return Err(error);
    }
    let bytes = tokio::fs::read(&path).await;
    remove_database_files(&path);
    let bytes = bytes.map_err(|e| DbError::Database {
        what: format!("cannot read the template {}", path.display()),
        cause: e.to_string(),
    })?;
    Ok(bytes.into())
}

/// A fresh database for one test: the template's bytes written to a file of its own.
pub(crate) async fn fresh(recipe: &'static Recipe, name: &str) -> Result<PathBuf, DbError> {
    let bytes = template(recipe).await?;
    let path = store()?.join(name);
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| DbError::Database { what: format!("cannot create {}", path.display()), cause: e.to_string() })?;
    Ok(path)
}

/// The URL sqlx opens a database file by.
pub(crate) fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Removes a database file and its journal files; missing ones are fine.
pub(crate) fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// This process's directory for database files: in `/dev/shm` when there is one (memory, no
/// disk writes), else the temp dir. Directories of processes that are gone (killed runs) are
/// removed when the first one is made.
fn store() -> Result<&'static Path, DbError> {
    static STORE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let made = STORE.get_or_init(|| {
        let root = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        reap_stale(&root);
        let dir = root.join(format!("testrig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map(|()| dir).map_err(|e| e.to_string())
    });
    match made {
        Ok(dir) => Ok(dir),
        Err(cause) => {
            Err(DbError::Database { what: "cannot create the database directory".into(), cause: cause.clone() })
        }
    }
}

fn reap_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("testrig-")).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A database file name unique within this process.
pub(crate) fn unique_name(scope_id: u64, database: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("test-{scope_id}-{n}-{database}.db")
}
