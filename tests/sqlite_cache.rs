//! SQLite templates cached by content across processes (under nextest every test is one): the
//! first process that needs a schema builds its template into the cache directory
//! (`TESTRIG_CACHE_DIR`) and every later process copies it; a cache directory another user
//! could write to is not used; entries unused for a week go when a new one is added; a cache
//! cleared while tests run is built again. Each case runs the test binary in child processes
//! with a cache directory of its own.
#![cfg(target_os = "linux")]
#![allow(unnameable_test_items)]

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sqlx::SqlitePool;
use testrig::prelude::*;

async fn users(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap()
}

/// Gets a migrated, seeded database and changes it.
#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
#[ignore = "run in a child process by the tests of this file"]
async fn seeded(pool: &SqlitePool) {
    assert_eq!(users(pool).await, 2);
    sqlx::query("DELETE FROM users").execute(pool).await.unwrap();
}

/// Waits (at most a minute) for `cleared::a_clears_the_cache` to have cleared the cache: a
/// test that takes it first gets its database after the clear.
struct AfterTheClear;

#[testrig::fixture]
impl AfterTheClear {
    fn setup() -> AfterTheClear {
        let marker = PathBuf::from(std::env::var("CLEARED_MARKER").unwrap());
        let started = std::time::Instant::now();
        while !marker.exists() {
            assert!(started.elapsed() < Duration::from_secs(60), "the cache was never cleared");
            std::thread::sleep(Duration::from_millis(5));
        }
        AfterTheClear
    }
}

/// Run in one process at once, three threads: one clears the cache, two then get databases
/// of the same schema at the same moment.
mod cleared {
    use super::*;

    /// Gets its database from the cache, then clears the cache, as `rm -rf ~/.cache/testrig`
    /// beside a running suite does.
    #[testrig::test]
    #[database(migrations = "tests/migrations/users", fixtures("users"))]
    #[ignore = "run in a child process by the tests of this file"]
    async fn a_clears_the_cache(pool: &SqlitePool) {
        assert_eq!(users(pool).await, 2);
        let cache = PathBuf::from(std::env::var("TESTRIG_CACHE_DIR").unwrap());
        std::fs::remove_dir_all(cache.join("sqlite")).unwrap();
        std::fs::write(std::env::var("CLEARED_MARKER").unwrap(), "").unwrap();
    }

    /// The same schema after: its template is gone from the cache.
    #[testrig::test]
    #[database(migrations = "tests/migrations/users", fixtures("users"))]
    #[ignore = "run in a child process by the tests of this file"]
    async fn b_after(_after: &AfterTheClear, pool: &SqlitePool) {
        assert_eq!(users(pool).await, 2);
    }

    #[testrig::test]
    #[database(migrations = "tests/migrations/users", fixtures("users"))]
    #[ignore = "run in a child process by the tests of this file"]
    async fn c_after_too(_after: &AfterTheClear, pool: &SqlitePool) {
        assert_eq!(users(pool).await, 2);
    }
}

/// A cache directory of its own for one case, not there yet.
fn fresh_cache(case: &str) -> PathBuf {
    let cache = std::env::temp_dir().join(format!("testrig-cache-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    cache
}

/// Runs tests of this binary matching `filter` in a child process, `threads` at a time.
fn run_with(cache: &Path, filter: &str, threads: usize) {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([filter, "--ignored", &format!("--test-threads={threads}")])
        .env("TESTRIG_CACHE_DIR", cache)
        .env("CLEARED_MARKER", cache.with_extension("cleared"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", support::printed(&output));
}

fn run(cache: &Path, filter: &str) {
    run_with(cache, filter, 1);
}

/// The templates in the cache: name, inode, modification time.
fn templates(cache: &Path) -> Vec<(String, u64, SystemTime)> {
    let Ok(entries) = std::fs::read_dir(cache.join("sqlite")) else { return Vec::new() };
    let mut found: Vec<_> = entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".db"))
        .map(|entry| {
            let metadata = entry.metadata().unwrap();
            (entry.file_name().to_string_lossy().into_owned(), metadata.ino(), metadata.modified().unwrap())
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_first_process_builds_the_template_and_later_ones_copy_it() {
    let cache = fresh_cache("reuse");
    run(&cache, "seeded");
    let built = templates(&cache);
    assert_eq!(built.len(), 1, "one template for one schema: {built:?}");
    assert!(built[0].0.starts_with("template-"), "{built:?}");
    let mode = std::fs::metadata(cache.join("sqlite")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "the cache is the user's own");
    // The first test changed its copy: the template is not the test's database.
    run(&cache, "seeded");
    run(&cache, "seeded");
    assert_eq!(templates(&cache), built, "later processes copy the same file, never write it");
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn a_cache_directory_another_user_could_write_to_is_not_used() {
    let private = fresh_cache("private");
    run(&private, "seeded");
    let name = templates(&private).remove(0).0;
    std::fs::remove_dir_all(&private).unwrap();
    let cache = fresh_cache("shared");
    std::fs::create_dir_all(cache.join("sqlite")).unwrap();
    std::fs::set_permissions(cache.join("sqlite"), std::fs::Permissions::from_mode(0o777)).unwrap();
    run(&cache, "seeded");
    assert_eq!(templates(&cache), Vec::new(), "nothing written where another user could replace it");
    // Nor read from: a file planted under the template's own name (no `users` table in it)
    // is not what the test gets.
    std::fs::write(cache.join("sqlite").join(&name), b"").unwrap();
    run(&cache, "seeded");
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn templates_unused_for_a_week_go_when_a_new_one_is_added() {
    let cache = fresh_cache("expiry");
    let dir = cache.join("sqlite");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let aged = |name: &str, days: u64| {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(days * 24 * 3600)).unwrap();
        path
    };
    let old = aged("template-old-0000000000000000.db", 8);
    let old_lock = aged("template-old-0000000000000000.lock", 8);
    let recent = aged("template-recent-0000000000000000.db", 6);
    run(&cache, "seeded");
    assert!(!old.exists() && !old_lock.exists(), "unused for 8 days: removed with its lock");
    assert!(recent.exists(), "used 6 days ago: kept");
    assert_eq!(templates(&cache).len(), 2, "the new one beside the recent one: {:?}", templates(&cache));
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn a_cache_cleared_while_tests_run_is_built_again() {
    let cache = fresh_cache("cleared");
    let _ = std::fs::remove_file(cache.with_extension("cleared"));
    run_with(&cache, "cleared::", 3);
    assert_eq!(templates(&cache).len(), 1, "built again into the cache, once: {:?}", templates(&cache));
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::remove_file(cache.with_extension("cleared")).unwrap();
}
