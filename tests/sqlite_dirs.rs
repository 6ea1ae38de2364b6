//! Where SQLite test databases live and when they go: a directory per process, which a later
//! process removes only once the process that made it is gone — told by a lock the live process
//! holds, not by its pid, which another PID namespace sharing the directory cannot see — and
//! which its own process removes at exit; a directory per database, so whatever a test makes
//! beside its database (an `ATTACH`ed file) goes with it. Each case runs the test binary in a
//! child process with `TESTRIG_DB_DIR` set to a root of its own.
#![cfg(target_os = "linux")]
#![allow(unnameable_test_items)]

mod support;

use std::path::{Path, PathBuf};

use sqlx::SqlitePool;
use testrig::prelude::*;

/// Makes one database and passes.
#[testrig::test]
#[database(migrations = false)]
#[ignore = "run in a child process by the tests of this file"]
async fn makes_a_database(pool: &SqlitePool) {
    sqlx::query("CREATE TABLE t (x INT)").execute(pool).await.unwrap();
}

/// Makes one database and fails: its database is kept for inspection.
#[testrig::test]
#[database(migrations = false)]
#[ignore = "run in a child process by the tests of this file"]
async fn fails_with_a_database(pool: &SqlitePool) {
    sqlx::query("CREATE TABLE kept (x INT)").execute(pool).await.unwrap();
    panic!("failing on purpose");
}

/// Makes a database (SQLite, as its typed pool says, also when `TESTRIG_DATABASE_URL` is
/// set), says where, then waits for `STOP_FILE` (or 60 s) so the parent can kill it mid-test.
#[testrig::test]
#[database(migrations = false)]
#[ignore = "run in a child process by the tests of this file"]
async fn holds_a_database(db: &testrig::db::Database, _sqlite: &SqlitePool) {
    let stop = PathBuf::from(std::env::var("STOP_FILE").unwrap());
    std::fs::write(stop.with_extension("started"), db.url()).unwrap();
    for _ in 0..600 {
        if stop.exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A root directory of its own for one case, empty.
fn fresh_root(case: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("testrig-dirs-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn entries(root: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(root).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn run_in(root: &Path, case: &str) -> std::process::Output {
    support::run_alone(case, &[("TESTRIG_DB_DIR", root.to_str().unwrap())])
}

#[test]
fn a_passing_run_leaves_nothing_in_the_directory() {
    let root = fresh_root("clean");
    let run = run_in(&root, "makes_a_database");
    assert!(run.status.success(), "{}", support::printed(&run));
    assert_eq!(entries(&root), Vec::<String>::new(), "left behind by a run that passed");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_failed_tests_database_stays_after_the_run_and_the_next_run_removes_it() {
    let root = fresh_root("kept");
    let run = run_in(&root, "fails_with_a_database");
    assert!(!run.status.success());
    let printed = support::printed(&run);
    let kept = printed.split("kept for inspection: ").nth(1).and_then(|rest| rest.lines().next()).unwrap().trim();
    let kept = kept.strip_prefix("sqlite://").unwrap_or(kept).to_owned();
    assert!(Path::new(&kept).is_file(), "the failed test's database is gone: {kept}; {printed}");
    let run = run_in(&root, "makes_a_database");
    assert!(run.status.success(), "{}", support::printed(&run));
    assert!(!Path::new(&kept).exists(), "the next run did not remove the gone process's database");
    assert_eq!(entries(&root), Vec::<String>::new());
    std::fs::remove_dir_all(&root).unwrap();
}

/// A directory whose process the reaper cannot see by pid (another PID namespace sharing the
/// directory; here a pid that does not exist) but which holds its liveness lock is live: its
/// databases stay. Once the lock is free, the next run removes it.
#[test]
fn a_directory_whose_process_holds_its_lock_survives_a_reaper_that_cannot_see_its_pid() {
    let root = fresh_root("lock");
    // The name an older testrig gave its directory: a pid, which is not running here.
    let other = root.join("testrig-4000000000");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("test-1-1-main.db"), b"live").unwrap();
    let lock = std::fs::File::create(other.join(".lock")).unwrap();
    // SAFETY: flock on a descriptor `lock` keeps open.
    assert_eq!(unsafe { libc_flock(std::os::unix::io::AsRawFd::as_raw_fd(&lock), LOCK_EX | LOCK_NB) }, 0);
    let run = run_in(&root, "makes_a_database");
    assert!(run.status.success(), "{}", support::printed(&run));
    assert!(other.join("test-1-1-main.db").is_file(), "a live process's database was removed");
    drop(lock);
    let run = run_in(&root, "makes_a_database");
    assert!(run.status.success(), "{}", support::printed(&run));
    assert!(!other.exists(), "the directory of a gone process stayed");
    std::fs::remove_dir_all(&root).unwrap();
}

/// A process killed mid-test (`kill -9`: no exit handler runs) leaves its directory with its
/// lock free: the next run removes it.
#[test]
fn a_killed_processs_directory_is_removed_by_the_next_run() {
    let root = fresh_root("killed");
    let stop = root.with_extension("stop");
    let _ = std::fs::remove_file(stop.with_extension("started"));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "holds_a_database", "--ignored", "--test-threads=1"])
        .env("TESTRIG_DB_DIR", &root)
        .env("STOP_FILE", &stop)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = stop.with_extension("started");
    let mut waited = 0;
    while !started.exists() {
        assert!(waited < 600, "the child did not start its test within 60 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(entries(&root).len(), 1, "the killed process's directory: {:?}", entries(&root));
    let run = run_in(&root, "makes_a_database");
    assert!(run.status.success(), "{}", support::printed(&run));
    assert_eq!(entries(&root), Vec::<String>::new(), "the killed process's directory stayed");
    std::fs::remove_dir_all(&root).unwrap();
    let _ = std::fs::remove_file(started);
}

static ATTACHED: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// A test that attaches a second database file beside its own and writes to it: the file
/// goes with the test's database.
#[test]
fn a_file_attached_beside_the_database_goes_with_it() {
    #[testrig::test]
    #[database(migrations = false)]
    async fn attaches(db: &testrig::db::Database, pool: &SqlitePool) {
        let own = Path::new(db.url().strip_prefix("sqlite://").unwrap()).to_owned();
        let attached = own.parent().unwrap().join("attached.db");
        // The test's connections may not create files (sqlx opens them read-write, no create).
        std::fs::File::create(&attached).unwrap();
        let mut connection = pool.acquire().await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ATTACH DATABASE '{}' AS other; CREATE TABLE other.t (x INT); INSERT INTO other.t VALUES (1)",
            attached.display()
        )))
        .execute(&mut *connection)
        .await
        .unwrap();
        assert!(attached.is_file());
        *ATTACHED.lock().unwrap() = Some(attached);
    }
    attaches();
    let attached = ATTACHED.lock().unwrap().take().unwrap();
    assert!(!attached.exists(), "the attached file outlived its test: {}", attached.display());
}

// libc's flock, declared here so the test needs no libc dependency of its own.
const LOCK_EX: i32 = 2;
const LOCK_NB: i32 = 4;
extern "C" {
    #[link_name = "flock"]
    fn libc_flock(fd: i32, operation: i32) -> i32;
}
