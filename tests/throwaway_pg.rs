//! The throwaway PostgreSQL server a test gets when no URL names one, in the ways it goes
//! wrong: its process killed with `kill -9` (the server dies with it; the next process removes
//! its directory), no binaries (the error names both variables and what to install), an
//! `initdb` that fails, a server that never gets ready (a bounded wait that says what it
//! waited for). Each case runs the test binary in a child process with no URL set and a temp
//! dir of its own. Skips, saying why, where PostgreSQL is not installed (CI installs it).
#![cfg(target_os = "linux")]
#![allow(unnameable_test_items)]

#[path = "support/outside.rs"]
mod outside;
mod support;

use outside::left_in;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use testrig::prelude::*;

/// Gets a database on the run's server and uses it.
#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
#[ignore = "run in a child process by the tests of this file"]
async fn uses_the_server(pool: &PgPool) {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
    assert_eq!(users, 2);
}

/// Says it has its database, then waits (at most a minute) to be killed.
#[testrig::test]
#[database(migrations = "tests/migrations/users")]
#[ignore = "run in a child process by the tests of this file"]
async fn waits_to_be_killed(pool: &PgPool) {
    sqlx::query("SELECT 1").execute(pool).await.unwrap();
    std::fs::write(std::env::var("STARTED_FILE").unwrap(), "").unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// Fails with a database on the server: kept for inspection.
#[testrig::test]
#[database(migrations = "tests/migrations/users")]
#[ignore = "run in a child process by the tests of this file"]
async fn fails_with_a_database(pool: &PgPool) {
    sqlx::query("INSERT INTO users (id, name) VALUES (7, 'kept')").execute(pool).await.unwrap();
    panic!("failing on purpose");
}

/// Set up before the test's database (its parameter comes first, and neither needs the
/// other): waits, a minute at most, until the run's throwaway server has started making its
/// directory, which happens meanwhile only if the server's start began as the test's setups
/// began, before any of its fixtures.
struct SeesTheServerStarting;

#[fixture]
impl SeesTheServerStarting {
    fn setup() -> Result<Self, String> {
        let started = Instant::now();
        loop {
            let made = std::fs::read_dir(std::env::temp_dir())
                .map_err(|error| error.to_string())?
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("testrig-pg-"));
            if made {
                return Ok(SeesTheServerStarting);
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err("no throwaway server started while this fixture was set up".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Its server starts while its first fixture sets up.
#[testrig::test]
#[database(migrations = "tests/migrations/users", fixtures("users"))]
#[ignore = "run in a child process by the tests of this file"]
async fn starts_the_server_beside_its_fixtures(_first: &SeesTheServerStarting, pool: &PgPool) {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
    assert_eq!(users, 2);
}

/// The same with `&Database` pinned to PostgreSQL: no typed pool says so, its options do.
#[testrig::test]
#[database(backend = postgres, migrations = "tests/migrations/users", fixtures("users"))]
#[ignore = "run in a child process by the tests of this file"]
async fn starts_the_pinned_server_beside_its_fixtures(_first: &SeesTheServerStarting, db: &testrig::db::Database) {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.postgres()).await.unwrap();
    assert_eq!(users, 2);
}

/// The same for each backend: the PostgreSQL case (run alone) starts its server beside its
/// first fixture.
#[testrig::test]
#[database(backends(sqlite, postgres), migrations = "tests/migrations/users", fixtures("users"))]
#[ignore = "run in a child process by the tests of this file"]
async fn each_backend_beside_its_fixtures(_first: &SeesTheServerStarting, db: &testrig::db::Database) {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.any()).await.unwrap();
    assert_eq!(users, 2);
}

/// Fails at once, before the test's database is set up.
struct FailsAtOnce;

#[fixture]
impl FailsAtOnce {
    fn setup() -> Result<Self, String> {
        Err("failing before the database, on purpose".into())
    }
}

/// Fails before its database, its server starting meanwhile.
#[testrig::test]
#[database(migrations = "tests/migrations/users")]
#[ignore = "run in a child process by the tests of this file"]
async fn fails_before_its_database(_first: &FailsAtOnce, _pool: &PgPool) {}

/// A plain `#[test]` (no testrig test) asking for the server's URL, then connecting to it.
#[test]
#[ignore = "run in a child process by the tests of this file"]
fn plain_test_asks_for_the_server() {
    use sqlx::Connection;
    let url = testrig::db::server_url().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async { sqlx::PgConnection::connect(url).await.unwrap().close().await.unwrap() });
}

/// Whether PostgreSQL's server binaries are where testrig looks first on Debian and Ubuntu.
fn installed() -> bool {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .is_ok_and(|mut versions| versions.any(|v| v.is_ok_and(|v| v.path().join("bin/initdb").is_file())));
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI installs PostgreSQL");
        println!("skipped: PostgreSQL's server binaries are not installed");
    }
    found
}

/// A temp dir of its own for one case, empty.
///
/// Under the system's temp dir, which every user can enter: run as root, the server runs as
/// `postgres`, which must reach its directory (a checkout under a private home could not be,
/// and testrig would put the server in `/tmp` instead, out of this case's sight).
fn fresh_tmp(case: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::env::temp_dir().join(format!("testrig-throwaway-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
    tmp
}

/// The test binary running `case` alone, with no server URL and `tmp` as its temp dir.
fn child(case: &str, tmp: &Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", case, "--ignored", "--test-threads=1", "--nocapture"])
        .env_remove("TESTRIG_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("TESTRIG_PG_BINDIR")
        // Not this run's: a process of its own is its own run.
        .env_remove("NEXTEST_RUN_ID")
        .env("TMPDIR", tmp)
        .envs(env.iter().copied());
    command
}

/// Waits (at most `limit`) for nothing to be left in `tmp`, or with `files_too` false, no
/// process; returns what is left then.
fn left_within(tmp: &Path, limit: Duration, files_too: bool) -> (Vec<String>, Vec<String>) {
    let started = Instant::now();
    loop {
        let left = left_in(tmp);
        let gone = left.1.is_empty() && (!files_too || left.0.is_empty());
        if gone || started.elapsed() > limit {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn nothing_left_within(tmp: &Path, limit: Duration) -> (Vec<String>, Vec<String>) {
    left_within(tmp, limit, true)
}

/// Asserts that nothing of a server is left in `tmp` (waited for, 10 s at most), then
/// removes it; `context` goes with the failure.
fn nothing_left_then_remove(tmp: &Path, context: &str) {
    assert_eq!(nothing_left_within(tmp, Duration::from_secs(10)), (Vec::new(), Vec::new()), "{context}");
    std::fs::remove_dir_all(tmp).unwrap();
}

/// A directory of fake binaries: `initdb` and `postgres` as the scripts given.
fn fake_binaries(tmp: &Path, initdb: &str, postgres: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp.with_extension("bin");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, script) in [("initdb", initdb), ("postgres", postgres)] {
        std::fs::write(dir.join(name), format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

#[test]
fn a_test_process_killed_takes_its_server_with_it_and_the_next_removes_its_directory() {
    if !installed() {
        return;
    }
    let tmp = fresh_tmp("killed");
    let started_file = tmp.with_extension("started");
    let _ = std::fs::remove_file(&started_file);
    let mut waiting = child("waits_to_be_killed", &tmp, &[("STARTED_FILE", started_file.to_str().unwrap())])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !started_file.exists() {
        assert!(started.elapsed() < Duration::from_secs(120), "the test never got its database");
        assert!(waiting.try_wait().unwrap().is_none(), "the test ended before it got its database");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (files, processes) = left_in(&tmp);
    assert!(files.iter().any(|name| name.starts_with("testrig-pg-")), "{files:?}");
    assert!(processes.iter().any(|cmdline| cmdline.contains("postgres")), "the server runs: {processes:?}");
    waiting.kill().unwrap();
    waiting.wait().unwrap();
    // The server goes with its process (PR_SET_PDEATHSIG), its directory stays...
    let (files, processes) = left_within(&tmp, Duration::from_secs(30), false);
    assert_eq!(processes, Vec::<String>::new(), "the server outlived the process that started it");
    assert!(!files.is_empty(), "a killed process removed nothing, and could not");
    // ...until the next process that starts a server finds its lock free (after a minute's
    // grace for a lock just made, aged here instead of waited for).
    for name in files.iter().filter(|name| name.ends_with(".lock")) {
        let file = std::fs::File::options().write(true).open(tmp.join(name)).unwrap();
        file.set_modified(std::time::SystemTime::now() - Duration::from_secs(120)).unwrap();
    }
    let next = child("uses_the_server", &tmp, &[]).output().unwrap();
    assert!(next.status.success(), "{}", support::printed(&next));
    nothing_left_then_remove(&tmp, &support::printed(&next));
    std::fs::remove_file(&started_file).unwrap();
}

/// A test that takes PostgreSQL's pool starts finding its server (here: starting the
/// throwaway one, seconds) as its setups begin, on a thread of its own, while its fixtures
/// set up; its database waits for it. The first fixture sees the server's directory being
/// made (it would wait for it in vain if the start waited for the database fixture), and
/// nothing is left after.
///
/// So for `&Database` whose options say PostgreSQL: `backend = postgres`, and the PostgreSQL
/// case of `backends(sqlite, postgres)`.
#[test]
fn the_server_starts_in_the_background_while_other_fixtures_set_up() {
    if !installed() {
        return;
    }
    let cases = [
        "starts_the_server_beside_its_fixtures",
        "starts_the_pinned_server_beside_its_fixtures",
        "each_backend_beside_its_fixtures::postgres",
    ];
    for case in cases {
        let tmp = fresh_tmp("early");
        let run = child(case, &tmp, &[("TESTRIG_SHOW", "1")]).output().unwrap();
        let printed = support::printed(&run);
        assert!(run.status.success(), "{case}: {printed}");
        assert!(printed.contains("1 passed"), "{case} ran: {printed}");
        // The fixture came first: its wait is the start overlapping it.
        let order: Vec<usize> =
            ["SeesTheServerStarting", "Database"].iter().filter_map(|name| printed.find(name)).collect();
        assert!(
            order.len() == 2 && order[0] < order[1],
            "{case}: the fixture is set up before the database:\n{printed}"
        );
        nothing_left_then_remove(&tmp, &printed);
    }
}

/// A test that fails before its database exits while its server is starting: the exit waits
/// for the start (bounded by it), stops the server and removes its directory.
#[test]
fn a_test_failing_before_its_database_leaves_no_server_starting_behind() {
    if !installed() {
        return;
    }
    let tmp = fresh_tmp("early_failure");
    let run = child("fails_before_its_database", &tmp, &[]).output().unwrap();
    let printed = support::printed(&run);
    assert!(!run.status.success(), "{printed}");
    assert!(printed.contains("failing before the database, on purpose"), "{printed}");
    nothing_left_then_remove(&tmp, &printed);
}

/// Under nextest (its run id set), a plain `#[test]` asking `testrig::db::server_url()` when
/// no process of the run started the server gets one of its own process, at once, stopped at
/// its exit: it cannot start the run's keeper, which runs again the testrig test that started
/// it (it waited for a keeper running the plain test until the setup timeout).
#[test]
fn under_nextest_a_plain_test_asking_for_the_server_gets_one_of_its_own() {
    if !installed() {
        return;
    }
    let tmp = fresh_tmp("plain");
    let runs = std::env::temp_dir().join(format!("testrig-throwaway-plain-runs-{}", std::process::id()));
    let run_id = format!("plain-{}", std::process::id());
    let env = [
        ("NEXTEST_RUN_ID", run_id.as_str()),
        ("TESTRIG_RUN_DIR", runs.to_str().unwrap()),
        ("TESTRIG_RUN_SETUP_TIMEOUT", "20"),
    ];
    let run = child("plain_test_asks_for_the_server", &tmp, &env).output().unwrap();
    let printed = support::printed(&run);
    assert!(run.status.success(), "{printed}");
    assert!(printed.contains("started a throwaway PostgreSQL"), "{printed}");
    let _ = std::fs::remove_dir_all(&runs);
    nothing_left_then_remove(&tmp, &printed);
}

#[test]
fn with_no_url_and_no_binaries_setup_fails_naming_both_and_what_to_install() {
    let tmp = fresh_tmp("none");
    let run = child("uses_the_server", &tmp, &[("TESTRIG_PG_BINDIR", "none")]).output().unwrap();
    assert!(!run.status.success());
    let printed = support::printed(&run);
    for expected in
        ["TESTRIG_DATABASE_URL", "DATABASE_URL", "initdb", "apt-get install postgresql", "TESTRIG_PG_BINDIR"]
    {
        assert!(printed.contains(expected), "no {expected:?} in:\n{printed}");
    }
    assert_eq!(left_in(&tmp), (Vec::new(), Vec::new()));
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// A test run with `initdb` and `postgres` as the scripts given (and `env`): it fails, and
/// nothing is left of its server. What it printed.
fn failed_start(case: &str, initdb: &str, postgres: &str, env: &[(&str, &str)]) -> String {
    let tmp = fresh_tmp(case);
    let bin = fake_binaries(&tmp, initdb, postgres);
    let env: Vec<(&str, &str)> = env.iter().copied().chain([("TESTRIG_PG_BINDIR", bin.to_str().unwrap())]).collect();
    let run = child("uses_the_server", &tmp, &env).output().unwrap();
    let printed = support::printed(&run);
    assert!(!run.status.success(), "{printed}");
    nothing_left_then_remove(&tmp, &printed);
    std::fs::remove_dir_all(&bin).unwrap();
    printed
}

#[test]
fn an_initdb_that_fails_is_named_with_its_output_and_nothing_is_left() {
    let printed = failed_start("initdb", "echo 'initdb: error: disk on fire' >&2; exit 1", "exit 1", &[]);
    assert!(printed.contains("cannot start a throwaway PostgreSQL server"), "{printed}");
    assert!(printed.contains("initdb failed") && printed.contains("disk on fire"), "{printed}");
}

#[test]
fn a_server_that_never_gets_ready_is_waited_for_a_bounded_time_and_stopped() {
    // An initdb that makes the data directory; a server that never says it is ready.
    let initdb = "while [ \"$1\" != -D ]; do shift; done; mkdir -p \"$2\"; echo 15 > \"$2/PG_VERSION\"";
    let started = Instant::now();
    let printed = failed_start(
        "never-ready",
        initdb,
        "echo 'waiting for nothing' >&2; exec sleep 600",
        &[("TESTRIG_PG_START_TIMEOUT", "2")],
    );
    assert!(started.elapsed() < Duration::from_secs(60), "the wait was not bounded");
    assert!(printed.contains("was not ready after 2s") && printed.contains("waiting for nothing"), "{printed}");
}

#[test]
fn a_failed_tests_databases_keep_the_servers_directory_and_say_how_to_start_it() {
    if !installed() {
        return;
    }
    let tmp = fresh_tmp("kept");
    let run = child("fails_with_a_database", &tmp, &[]).output().unwrap();
    assert!(!run.status.success());
    let printed = support::printed(&run);
    assert!(printed.contains("stays an hour after the run: start it with `postgres -D"), "{printed}");
    let (files, processes) = left_within(&tmp, Duration::from_secs(30), false);
    assert_eq!(processes, Vec::<String>::new(), "the server is stopped");
    let dir = files.iter().find(|name| !name.ends_with(".lock")).expect("its directory stays");
    assert!(tmp.join(dir).join("data/PG_VERSION").is_file(), "with its data: {files:?}");
    assert!(tmp.join(dir).join("kept").is_file());
    std::fs::remove_dir_all(&tmp).unwrap();
}
