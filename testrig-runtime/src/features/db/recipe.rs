//! What a test database is made from: a migrations directory and seed scripts. Each backend
//! builds one template per distinct *content* (the migration files and the seeds), so tests
//! that share a recipe share a template wherever their recipes are declared, and an edited
//! migration or seed gets a new one.

use std::sync::{Arc, Mutex, PoisonError};

use crate::features::db::DbError;
use crate::leaf::fnv::fnv1a;

/// How one database of a test is made.
#[derive(Debug)]
pub struct Recipe {
    /// Who declared it, for names and messages: a schema's name, or the test crate's.
    pub owner: &'static str,
    /// Which database of the owner: `api`, `cell`, `main`, or a name given in `#[databases]`.
    pub database: &'static str,
    /// A sqlx migrations directory (absolute), or `None` for an empty database.
    pub migrations: Option<&'static str>,
    /// The app's own migrator (`#[database(migrator = "MIGRATOR")]`, as `#[sqlx::test]` takes
    /// it): its embedded migrations, run instead of a directory's.
    pub migrator: Option<&'static sqlx::migrate::Migrator>,
    /// Scripts run after the migrations, in order, once into the template.
    pub seeds: &'static [Seed],
}

/// A seed script, included into the test binary at compile time
/// (`#[database(fixtures("users"))]` reads `fixtures/users.sql` next to the test file).
#[derive(Debug)]
pub struct Seed {
    /// The name it was asked for by: `users`, or the path given.
    pub name: &'static str,
    /// Its SQL, one or more statements.
    pub sql: &'static str,
}

impl Recipe {
    /// A recipe with no migrations and no seeds.
    pub const fn empty(owner: &'static str, database: &'static str) -> Recipe {
        Recipe { owner, database, migrations: None, migrator: None, seeds: &[] }
    }

    /// The error of a migration that could not be read or run.
    pub(crate) fn migration_error(&self, cause: impl std::fmt::Display) -> DbError {
        DbError::Migration { schema: self.owner, dir: self.migrations.unwrap_or("(none)"), cause: cause.to_string() }
    }

    /// The error of a seed script that failed.
    pub(crate) fn seed_error(&self, seed: &Seed, cause: impl std::fmt::Display) -> DbError {
        DbError::Seed {
            database: format!("{}.{}", self.owner, self.database),
            seed: seed.name,
            cause: cause.to_string(),
        }
    }

    /// A name part for templates: lowercase alphanumerics of owner and database.
    pub(crate) fn label(&self) -> String {
        format!("{}_{}", identifier(self.owner, 16), identifier(self.database, 16))
    }

    /// A hash of the migration files' names and contents and of the seeds: equal recipes
    /// share a template, and a changed file gets a new one. Computed once per recipe.
    pub(crate) fn content_hash(&'static self) -> Result<u64, DbError> {
        static KNOWN: Mutex<Vec<(usize, u64)>> = Mutex::new(Vec::new());
        let key = self as *const Recipe as usize;
        if let Some((_, hash)) = KNOWN.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|(k, _)| *k == key) {
            return Ok(*hash);
        }
        let mut bytes = Vec::new();
        if let Some(dir) = self.migrations {
            let files = migration_files(dir).map_err(|e| self.migration_error(e))?;
            warn_about_skipped(&files);
            bytes.extend(directory_hash(&files).map_err(|e| self.migration_error(e))?.to_le_bytes());
        }
        if let Some(migrator) = self.migrator {
            for migration in migrator.iter() {
                bytes.extend(b"\0migration\0");
                bytes.extend(migration.version.to_le_bytes());
                bytes.extend(migration.checksum.iter());
            }
        }
        for seed in self.seeds {
            bytes.extend(b"\0seed\0");
            bytes.extend(seed.name.as_bytes());
            bytes.extend(seed.sql.as_bytes());
        }
        let hash = fnv1a(&bytes);
        KNOWN.lock().unwrap_or_else(PoisonError::into_inner).push((key, hash));
        Ok(hash)
    }
}

/// Where what is built once per content is kept across processes and runs, the user's own:
/// `TESTRIG_CACHE_DIR`, else `$XDG_CACHE_HOME/testrig`, else `~/.cache/testrig`, else
/// `<temp>/testrig-cache-<user>` (made `0700`).
pub(crate) fn cache_root() -> std::path::PathBuf {
    let from_env = |name: &str| std::env::var_os(name).filter(|dir| !dir.is_empty()).map(std::path::PathBuf::from);
    if let Some(dir) = from_env("TESTRIG_CACHE_DIR") {
        return dir;
    }
    if let Some(dir) = from_env("XDG_CACHE_HOME").or_else(|| from_env("HOME").map(|home| home.join(".cache"))) {
        return dir.join("testrig");
    }
    #[cfg(unix)]
    // SAFETY: geteuid has no preconditions.
    let user = unsafe { libc::geteuid() }.to_string();
    #[cfg(not(unix))]
    let user = std::env::var("USERNAME").unwrap_or_else(|_| "user".to_owned());
    std::env::temp_dir().join(format!("testrig-cache-{user}"))
}

/// The hash of migration files' names and contents. Remembered across processes (under
/// nextest each test is one) by what the listing says of each file — path, size, modification
/// time to the nanosecond, inode — as cargo decides a rebuild: a changed file has another
/// size, time or inode, and is read and hashed again.
fn directory_hash(files: &[std::path::PathBuf]) -> std::io::Result<u64> {
    let mut stamp = Vec::new();
    for file in files {
        let metadata = std::fs::metadata(file)?;
        stamp.extend(file.as_os_str().as_encoded_bytes());
        stamp.extend(metadata.len().to_le_bytes());
        if let Ok(modified) = metadata.modified() {
            let since = modified.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            stamp.extend(since.as_nanos().to_le_bytes());
        }
        #[cfg(unix)]
        stamp.extend(std::os::unix::fs::MetadataExt::ino(&metadata).to_le_bytes());
    }
    let remembered = cache_root().join("migrations").join(format!("{:016x}", fnv1a(&stamp)));
    // Only a directory of this user's own is read from, or written to.
    let cache = remembered.parent().is_some_and(|dir| crate::leaf::private_dir::make(dir).is_ok());
    if let Some(hash) = cache
        .then(|| std::fs::read_to_string(&remembered).ok())
        .flatten()
        .and_then(|text| u64::from_str_radix(text.trim(), 16).ok())
    {
        return Ok(hash);
    }
    let mut bytes = Vec::new();
    for file in files {
        bytes.extend(file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        bytes.extend(std::fs::read(file)?);
    }
    let hash = fnv1a(&bytes);
    if cache {
        let _ = crate::leaf::private_dir::write_whole(&remembered, format!("{hash:016x}"));
    }
    Ok(hash)
}

/// Builds a template's content on `pool`: `recipe`'s migrations, then its seeds, in order. The
/// one way both backends make a template.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) async fn apply<DB>(recipe: &Recipe, pool: &sqlx::Pool<DB>) -> Result<(), DbError>
where
    DB: sqlx::Database,
    DB::Connection: sqlx::migrate::Migrate,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    if let Some(dir) = recipe.migrations {
        let migrator =
            sqlx::migrate::Migrator::new(std::path::Path::new(dir)).await.map_err(|e| recipe.migration_error(e))?;
        migrator.run(pool).await.map_err(|e| recipe.migration_error(e))?;
    }
    if let Some(migrator) = recipe.migrator {
        migrator.run(pool).await.map_err(|e| recipe.migration_error(e))?;
    }
    for seed in recipe.seeds {
        sqlx::raw_sql(crate::features::db::sql::trusted(seed.sql))
            .execute(pool)
            .await
            .map_err(|e| recipe.seed_error(seed, e))?;
    }
    Ok(())
}

/// The files of a migrations directory that sqlx runs, in order: subdirectories and other
/// files are not migrations.
pub(crate) fn migration_files(dir: &str) -> std::io::Result<Vec<std::path::PathBuf>> {
    // The entry's type comes with the listing; only a link needs a `stat` to follow it.
    let is_file = |entry: &std::fs::DirEntry| match entry.file_type() {
        Ok(kind) if kind.is_symlink() => entry.path().is_file(),
        Ok(kind) => kind.is_file(),
        Err(_) => false,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|entry| is_file(entry) && entry.path().extension().is_some_and(|ext| ext == "sql"))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    Ok(files)
}

/// sqlx runs only `<VERSION>_<DESCRIPTION>.sql` files and skips a `.sql` file without the
/// `_` silently: said once here, since such a migration never runs on either backend.
fn warn_about_skipped(files: &[std::path::PathBuf]) {
    for file in files {
        let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if !name.contains('_') {
            let line = format!(
                "testrig: migration `{}` is skipped by sqlx, which runs only files named `<VERSION>_<DESCRIPTION>.sql`\n",
                file.display()
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        }
    }
}

pub(crate) fn identifier(text: &str, max: usize) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).take(max).collect()
}

/// Per-process cache of what a backend builds once per recipe content: the migrated and
/// seeded template. Concurrent first users wait for one build; a failed build is retried by
/// the next user.
pub(crate) struct Templates<T> {
    built: Mutex<Vec<(u64, Arc<tokio::sync::OnceCell<T>>)>>,
}

impl<T: Clone> Templates<T> {
    pub(crate) const fn new() -> Self {
        Templates { built: Mutex::new(Vec::new()) }
    }

    pub(crate) async fn get_or_build<F>(
        &self,
        recipe: &'static Recipe,
        build: impl FnOnce(u64) -> F,
    ) -> Result<T, DbError>
    where
        F: std::future::Future<Output = Result<T, DbError>>,
    {
        let hash = recipe.content_hash()?;
        let cell = {
            let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
            match built.iter().find(|(key, _)| *key == hash) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    built.push((hash, cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_try_init(|| build(hash)).await.cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_lowercase_alphanumerics() {
        assert_eq!(identifier("My-Schema_1", 16), "myschema1");
    }

    static SEEDED: Recipe = Recipe {
        owner: "t",
        database: "main",
        migrations: None,
        migrator: None,
        seeds: &[Seed { name: "users", sql: "INSERT .." }],
    };
    static OTHER_SEED: Recipe = Recipe {
        owner: "t",
        database: "main",
        migrations: None,
        migrator: None,
        seeds: &[Seed { name: "users", sql: "INSERT 2" }],
    };
    static SAME_AS_SEEDED: Recipe = Recipe {
        owner: "u",
        database: "x",
        migrations: None,
        migrator: None,
        seeds: &[Seed { name: "users", sql: "INSERT .." }],
    };

    #[test]
    fn the_hash_follows_content_not_place() {
        let seeded = SEEDED.content_hash().unwrap();
        assert_eq!(seeded, SAME_AS_SEEDED.content_hash().unwrap());
        assert_ne!(seeded, OTHER_SEED.content_hash().unwrap());
    }
}
