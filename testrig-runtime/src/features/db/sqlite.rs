//! The embedded backend: each schema is migrated once per content into a template file,
//! cached across processes (nextest runs a process per test); every test database is a copy
//! of those bytes, not a re-run of the migrations.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::features::db::recipe::{apply, Recipe, Templates};
use crate::features::db::DbError;

/// The migrated and seeded image of `recipe`: found in the cache of templates by content, or
/// built (once, by the first process that needs it) on first use in this process.
async fn template(recipe: &'static Recipe) -> Result<Image, DbError> {
    static TEMPLATES: Templates<Image> = Templates::new();
    TEMPLATES.get_or_build(recipe, |hash| cached_template(recipe, hash)).await
}

/// A template, as each test's database is copied from it.
#[derive(Clone)]
enum Image {
    /// The cache's file, copied file to file by the kernel (`copy_file_range`): never read
    /// into this process, whose fresh pages cost more than the copy (under nextest a process
    /// makes one database: reading, holding and writing 184 KB took ~1 ms, the copy 0.25).
    Cached { path: Arc<Path>, len: u64 },
    /// Built in this process, without a usable cache directory.
    Bytes(Arc<[u8]>),
}

impl Image {
    fn len(&self) -> u64 {
        match self {
            Image::Cached { len, .. } => *len,
            Image::Bytes(bytes) => bytes.len() as u64,
        }
    }

    fn write_to(&self, path: &Path) -> std::io::Result<()> {
        match self {
            Image::Cached { path: from, .. } => std::fs::copy(from, path).map(drop),
            Image::Bytes(bytes) => std::fs::write(path, bytes),
        }
    }

    /// Whether it is a cache file that is no longer there (the cache cleared while tests ran).
    fn gone(&self) -> bool {
        matches!(self, Image::Cached { path, .. } if !path.exists())
    }
}

/// What else a template's bytes depend on besides the recipe's content: the code that wrote
/// them (this crate, its sqlx).
#[cfg(feature = "sqlx-0_8")]
const BUILT_BY: &str = concat!("testrig ", env!("CARGO_PKG_VERSION"), " sqlx 0.8");
#[cfg(not(feature = "sqlx-0_8"))]
const BUILT_BY: &str = concat!("testrig ", env!("CARGO_PKG_VERSION"), " sqlx 0.9");

/// `recipe`'s template from the cache directory (the user's:
/// [`cache_root`](crate::features::db::recipe::cache_root)), where the first process to need
/// it builds it under a file lock and writes it whole; every later process of every run copies it. Each use
/// touches it; entries unused for a week are removed when a new one is added. Without a
/// usable cache directory, built in this process as before.
async fn cached_template(recipe: &'static Recipe, hash: u64) -> Result<Image, DbError> {
    if !cfg!(unix) {
        // Without `flock`, no lock says who builds: each process builds its own.
        return build_template(recipe, hash).await.map(Image::Bytes);
    }
    let key =
        format!("{}-{:016x}", recipe.label(), crate::leaf::fnv::fnv1a(format!("{hash:016x} {BUILT_BY}").as_bytes()));
    let dir = cache_dir();
    let cached = dir.join(format!("template-{key}.db"));
    // Checked before it is read: a directory another user made is not read from.
    if crate::leaf::private_dir::make(&dir).is_err() {
        return build_template(recipe, hash).await.map(Image::Bytes);
    }
    if let Some(image) = find_cached(&cached) {
        return Ok(image);
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(format!("template-{key}.lock")));
    let Ok(lock) = lock else { return build_template(recipe, hash).await.map(Image::Bytes) };
    // Another process may be building it: waited for (bounded), then read.
    let limit = std::time::Duration::from_secs(300);
    let started = std::time::Instant::now();
    while !crate::leaf::file_lock::try_exclusive(&lock).unwrap_or(true) {
        if started.elapsed() > limit {
            return Err(DbError::Database {
                what: format!("waited {limit:?} for another process to build the template {}", cached.display()),
                cause: "its build lock is still held".to_owned(),
            });
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    if let Some(image) = find_cached(&cached) {
        return Ok(image);
    }
    let bytes = build_template(recipe, hash).await?;
    let written = crate::leaf::private_dir::write_whole(&cached, &bytes);
    expire_cached(&dir);
    drop(lock);
    Ok(written.ok().and_then(|()| find_cached(&cached)).unwrap_or(Image::Bytes(bytes)))
}

/// A cached template, the file touched (once a day) so it does not expire while used.
fn find_cached(path: &Path) -> Option<Image> {
    let file = std::fs::File::options().write(true).open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if crate::leaf::private_dir::unmodified_for(&metadata, std::time::Duration::from_secs(24 * 3600)) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
    Some(Image::Cached { path: path.into(), len: metadata.len() })
}

fn cache_dir() -> PathBuf {
    crate::features::db::recipe::cache_root().join("sqlite")
}

/// Removes templates no process used for a week, and their locks.
fn expire_cached(dir: &Path) {
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let unused = entry.metadata().is_ok_and(|used| crate::leaf::private_dir::unmodified_for(&used, week));
        let name = entry.file_name();
        let is_template = name.to_str().is_some_and(|name| name.starts_with("template-") && name.ends_with(".db"));
        if unused && is_template {
            let _ = std::fs::remove_file(entry.path());
            let _ = std::fs::remove_file(entry.path().with_extension("lock"));
        }
    }
}

async fn build_template(recipe: &'static Recipe, hash: u64) -> Result<Arc<[u8]>, DbError> {
    // A path of its own per build: two builds of one template in this process (the cache
    // cleared under two tests at once, no usable cache) never share a file.
    static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let build = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = store()?.join(format!("template-{}-{hash:016x}-{build}.db", recipe.label()));
    // The template is read back into memory right after, so it needs room only briefly.
    remove_database_files(&path);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete)
        .synchronous(SqliteSynchronous::Off);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(|e| {
        DbError::Database { what: format!("cannot create the template at {}", path.display()), cause: e.to_string() }
    })?;
    let made = apply(recipe, &pool).await;
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

/// A fresh database for one test: the template copied to a file of its own.
pub(crate) async fn fresh(recipe: &'static Recipe, name: &str) -> Result<PathBuf, DbError> {
    let mut image = template(recipe).await?;
    loop {
        let dir = store()?;
        if dir.starts_with("/dev/shm") {
            if let Some(free) = too_little_room(image.len()) {
                move_off_shm(&format!("{} KB free", free / 1024));
                continue;
            }
        }
        // A directory per database: files the test makes beside it (an `ATTACH`ed database,
        // a backup) go with it.
        let own = dir.join(name.trim_end_matches(".db"));
        let path = own.join(name);
        // On this thread: a copy of a file of the page cache into memory-backed files takes
        // less than handing it to a blocking thread would.
        let made = std::fs::create_dir(&own).and_then(|()| image.write_to(&path));
        match made {
            Ok(()) => return Ok(path),
            Err(_) if image.gone() => {
                // Built again into the cache, under its lock (so once, by one thread of one
                // process); the cache's path is the same, so every later copy finds it.
                remove_database(&path);
                image = cached_template(recipe, recipe.content_hash()?).await?;
            }
            Err(error) => {
                remove_database(&path);
                if !(out_of_room(&dir, &error) && move_off_shm(&error.to_string())) {
                    return Err(DbError::Database {
                        what: format!("cannot create {}", path.display()),
                        cause: error.to_string(),
                    });
                }
            }
        }
    }
}

/// The URL sqlx opens a database file by.
pub(crate) fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Removes a test's database: its directory, with whatever the test made there beside the
/// database file.
pub(crate) fn remove_database(path: &Path) {
    match path.parent() {
        Some(own) if own.file_name().is_some_and(|own| path.file_stem() == Some(own)) => {
            let _ = std::fs::remove_dir_all(own);
        }
        _ => remove_database_files(path),
    }
}

/// Removes a database file and its journal files; missing ones are fine.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// This process's directory for database files: `TESTRIG_DB_DIR` when set; else in
/// `/dev/shm` when it is there and writable (memory, no disk writes); else the temp dir.
/// Directories of processes that are gone (killed runs) are removed when the first one is
/// made. After `/dev/shm` ran out of space (Docker gives containers 64 MB), the temp dir.
fn store() -> Result<PathBuf, DbError> {
    static PRIMARY: OnceLock<Result<(PathBuf, bool), DbError>> = OnceLock::new();
    static FALLBACK: OnceLock<Result<PathBuf, DbError>> = OnceLock::new();
    if SHM_FULL.load(std::sync::atomic::Ordering::Relaxed) {
        return FALLBACK.get_or_init(|| per_process_dir(&std::env::temp_dir())).clone();
    }
    let primary = PRIMARY.get_or_init(|| {
        if let Some(dir) = std::env::var_os("TESTRIG_DB_DIR").filter(|dir| !dir.is_empty()) {
            return per_process_dir(Path::new(&dir)).map(|dir| (dir, false));
        }
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            if let Ok(dir) = per_process_dir(shm) {
                return Ok((dir, true));
            }
        }
        per_process_dir(&std::env::temp_dir()).map(|dir| (dir, false))
    });
    primary.clone().map(|(dir, _)| dir)
}

/// Set once `/dev/shm` refused a database for lack of space: from then on the temp dir.
static SHM_FULL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `error`, writing into `dir`, means `/dev/shm` is too small or read-only (and
/// `TESTRIG_DB_DIR` did not choose it).
fn out_of_room(dir: &Path, error: &std::io::Error) -> bool {
    let full = matches!(error.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::ReadOnlyFilesystem)
        || error.raw_os_error() == Some(28);
    full && dir.starts_with("/dev/shm") && std::env::var_os("TESTRIG_DB_DIR").is_none()
}

/// Sends the next databases to the temp dir instead of `/dev/shm` (said once on stderr, with
/// `why`); true, so the caller tries again there.
fn move_off_shm(why: &str) -> bool {
    if !SHM_FULL.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let line = format!(
            "testrig: /dev/shm cannot hold more test databases ({why}); they go to {} from now on \
             (TESTRIG_DB_DIR chooses the directory)\n",
            std::env::temp_dir().display()
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    true
}

/// `Some(free bytes)` when `/dev/shm` has less room than a database of `size` bytes needs
/// for each test that may run at once: a test's writes grow its file, WAL and journal after
/// the copy, so a copy that fits can still fail the test with "database or disk is full"
/// (Docker's 64 MB `/dev/shm` failed 484 of 500 parallel tests so). Four times the copy per
/// test, for the test threads (at least 8).
fn too_little_room(size: u64) -> Option<u64> {
    // Read once: this runs before every database copied to /dev/shm.
    static PARALLEL: OnceLock<u64> = OnceLock::new();
    let parallel = *PARALLEL.get_or_init(|| {
        let threads = std::env::var("RUST_TEST_THREADS").ok().and_then(|n| n.parse::<u64>().ok());
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(8, |n| n.get() as u64)).max(8)
    });
    let needed = size.saturating_mul(4).saturating_mul(parallel);
    let free = free_bytes(Path::new("/dev/shm"))?;
    (free < needed).then_some(free)
}

/// Free bytes for an unprivileged writer on the file system of `path`.
#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    let path = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str())).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is NUL-terminated and `stats` is written by statvfs before it is read.
    let stats = unsafe {
        if libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
}

#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

/// The file in each process's directory that the process holds an exclusive `flock` on for
/// as long as it runs: the kernel releases it when the process ends however it ends (exit,
/// panic, `kill -9`), and it means the same in every PID namespace and container that shares
/// the directory (`TESTRIG_DB_DIR`, a `/dev/shm` mounted into several), where a pid does not.
const LIVENESS_LOCK: &str = ".lock";

/// The directories this process made and holds the lock of (the primary one, and the temp
/// dir's after `/dev/shm` filled up). Never dropped while the process runs: dropping a file
/// releases its lock.
static OWN_DIRS: std::sync::Mutex<Vec<(PathBuf, std::fs::File)>> = std::sync::Mutex::new(Vec::new());

/// `root/testrig-<pid>-<random>`, made whole before anyone can see it: built as
/// `.testrig-making-..` with its liveness lock held, then renamed, so a reaper never finds it
/// without its lock. Directories of processes that are gone are removed first. The lock
/// file's creation is the write that finds a read-only mount now, not at the first test.
fn per_process_dir(root: &Path) -> Result<PathBuf, DbError> {
    reap_stale(root);
    let id = format!("{}-{:08x}", std::process::id(), random_u32());
    let making = root.join(format!(".testrig-making-{id}"));
    let dir = root.join(format!("testrig-{id}"));
    let made = (|| -> std::io::Result<std::fs::File> {
        // The user's own: test databases are nobody else's to read.
        crate::leaf::private_dir::make(&making)?;
        let lock =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(making.join(LIVENESS_LOCK))?;
        if !crate::leaf::file_lock::try_exclusive(&lock)? {
            return Err(std::io::Error::other("its liveness lock is held by another process"));
        }
        std::fs::rename(&making, &dir)?;
        Ok(lock)
    })();
    match made {
        Ok(lock) => {
            let mut own = OWN_DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if own.is_empty() {
                // Unregistered, it stays after exit until the next run's reaper removes it.
                let _ = crate::leaf::exit::at_exit(remove_own_dirs_at_exit);
            }
            own.push((dir.clone(), lock));
            Ok(dir)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&making);
            Err(DbError::Database {
                what: format!("cannot create the database directory {}", dir.display()),
                cause: format!("{e} (set TESTRIG_DB_DIR to a writable directory)"),
            })
        }
    }
}

/// At exit, this process's directories go, unless a failed test's databases were kept in
/// one for inspection: that one stays until the next run's reaper finds its lock free.
extern "C" fn remove_own_dirs_at_exit() {
    let _ = std::panic::catch_unwind(|| {
        let own = std::mem::take(&mut *OWN_DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for (dir, lock) in own {
            let only_the_lock = std::fs::read_dir(&dir)
                .map(|entries| entries.flatten().all(|entry| entry.file_name() == LIVENESS_LOCK))
                .unwrap_or(false);
            if only_the_lock {
                let _ = std::fs::remove_dir_all(&dir);
            }
            drop(lock);
        }
    });
}

/// Removes the directories under `root` whose process is gone: its liveness lock can be
/// taken. A directory still being made (`.testrig-making-..`) whose lock is free, or that has
/// had none for an hour, was left by a process killed while making it. A directory of an
/// older testrig (`testrig-<pid>`, no lock) goes when that pid is not running here.
fn reap_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(id) = name.strip_prefix("testrig-").or_else(|| name.strip_prefix(".testrig-making-")) else {
            continue;
        };
        let older_than = |limit: u64| {
            let limit = std::time::Duration::from_secs(limit);
            entry.metadata().is_ok_and(|made| crate::leaf::private_dir::unmodified_for(&made, limit))
        };
        // Held while the directory is removed, so no second reaper removes another's new one.
        let mut held = None;
        let gone = match std::fs::File::open(entry.path().join(LIVENESS_LOCK)) {
            // One still being made has its lock file a moment before its lock: a minute on,
            // a free lock there is a maker that died.
            Ok(_) if name.starts_with(".testrig-making-") && !older_than(60) => false,
            Ok(lock) => {
                let free = crate::leaf::file_lock::try_exclusive(&lock).unwrap_or(false);
                held = Some(lock);
                free
            }
            // Killed between making it and creating its lock, microseconds apart: an hour on,
            // no live process is still there.
            Err(_) if name.starts_with(".testrig-making-") => older_than(3600),
            Err(_) => id.parse::<u32>().is_ok_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()),
        };
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
        drop(held);
    }
}

/// A random number, so two processes with the same pid (in two PID namespaces sharing the
/// directory) never make the same directory.
fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish() as u32
}

/// A database file name unique within this process.
pub(crate) fn unique_name(scope_id: u64, database: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("test-{scope_id}-{n}-{database}.db")
}
