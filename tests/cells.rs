//! `#[with_cells]`, the `Cells` fixture, `testrig::db` and `#[poison_db]` on the embedded
//! SQLite backend.
#![allow(unnameable_test_items)] // cases nested in the tests that check what they leave behind

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};

use testrig::db::{self, sqlx, Cells, DbError};
use testrig::prelude::*;

testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");
// A second schema: tests here name theirs with `in =`, as an application with two would.
testrig::db::schema!(pub static BROKEN, api = "tests/migrations/broken", cells = "tests/migrations/cell");
testrig::db::schema!(pub static MISSING, api = "tests/migrations/does-not-exist", cells = "tests/migrations/cell");
// PostgreSQL only: its migration sleeps a second (`pg_sleep`), so builds in two processes overlap.
testrig::db::schema!(pub static SLOW, api = "tests/migrations/slow", cells = "tests/migrations/cell");

async fn count(pool: &db::AnyPool, table: &str) -> i64 {
    let row: (i64,) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(pool).await.unwrap();
    row.0
}

async fn insert_instance(pool: &db::AnyPool, uuid: &str, host: &str) {
    sqlx::query("INSERT INTO instances (uuid, host) VALUES ($1, $2)")
        .bind(uuid)
        .bind(host)
        .execute(pool)
        .await
        .unwrap();
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1, cell2)]
async fn api_cell0_and_named_cells_are_separate_migrated_databases(cells: &Cells) {
    assert_eq!(cells.names(), ["cell0", "cell1", "cell2"]);
    insert_instance(cells.cell("cell2"), "vm1", "host2").await;
    assert_eq!(count(cells.cell("cell2"), "instances").await, 1);
    assert_eq!(count(cells.cell("cell1"), "instances").await, 0);
    assert_eq!(count(cells.cell("cell0"), "instances").await, 0);
    assert_eq!(count(cells.api(), "host_mappings").await, 0);
    let wrong = sqlx::query("SELECT * FROM instances").fetch_all(cells.api()).await;
    assert!(wrong.is_err(), "the API database has the API schema, not the cell schema");
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1)]
async fn the_seam_returns_this_tests_databases(cells: &Cells) {
    let api = db::api().unwrap();
    sqlx::query("INSERT INTO host_mappings (host, cell) VALUES ('host1', 'cell1')").execute(&api).await.unwrap();
    assert_eq!(count(cells.api(), "host_mappings").await, 1);
    cells.map_host("host1", "cell1");
    assert_eq!(cells.cell_of_host("host1").as_deref(), Some("cell1"));
    assert_eq!(cells.cell_of_host("host9"), None);
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
#[with_cells(in = SCHEMA, cell1, cell2)]
async fn targeting_nests_and_follows_spawned_tasks_and_threads(cells: &Cells) {
    assert!(matches!(db::cell(), Err(DbError::Untargeted)), "no default cell to fall back to");
    cells
        .target("cell1", async {
            insert_instance(&db::cell().unwrap(), "a", "host1").await;
            cells
                .target("cell2", async {
                    insert_instance(&db::cell().unwrap(), "b", "host2").await;
                    let task = testrig::spawn(async { insert_instance(&db::cell().unwrap(), "c", "host2").await });
                    task.await.unwrap();
                })
                .await;
            // Back in cell1 after the inner target.
            insert_instance(&db::cell().unwrap(), "d", "host1").await;
            let thread_pool = testrig::thread::spawn(|| db::cell().unwrap()).join().unwrap();
            insert_instance(&thread_pool, "e", "host1").await;
        })
        .await;
    assert_eq!(count(cells.cell("cell1"), "instances").await, 3);
    assert_eq!(count(cells.cell("cell2"), "instances").await, 2);
    cells.target_sync("cell2", || assert!(db::cell().is_ok()));
    assert!(db::cell().is_err());
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1)]
async fn unknown_cells_are_errors_listing_the_known_ones(cells: &Cells) {
    let message = cells.try_cell("cell7").unwrap_err().to_string();
    assert_eq!(message, "unknown cell `cell7`: this test has cell0, cell1");
    let panicked = catch_unwind(AssertUnwindSafe(|| drop(cells.target("cell7", async {})))).unwrap_err();
    assert!(panicked.downcast_ref::<String>().unwrap().contains("this test has cell0, cell1"));
}

#[test]
fn outside_tests_the_seam_needs_configuration() {
    let message = std::thread::Builder::new().name("plain".into()).spawn(|| db::api().map(drop)).unwrap().join();
    // Another test of this binary may have configured production databases; either way no panic.
    if let Ok(Err(error)) = message {
        assert!(error.to_string().contains("testrig::db::configure"), "{error}");
    }
}

macro_rules! isolation_tests {
    ($($name:ident),*) => {$(
        #[testrig::test]
        #[with_cells(in = SCHEMA, cell1)]
        async fn $name(cells: &Cells) {
            let me = stringify!($name);
            insert_instance(cells.cell("cell1"), me, "host1").await;
            tokio::task::yield_now().await;
            let rows: Vec<(String,)> = sqlx::query_as("SELECT uuid FROM instances").fetch_all(cells.cell("cell1")).await.unwrap();
            assert_eq!(rows, [(me.to_owned(),)], "another test's rows leaked in");
        }
    )*};
}

isolation_tests!(iso_00, iso_01, iso_02, iso_03, iso_04, iso_05, iso_06, iso_07, iso_08, iso_09, iso_10, iso_11);

#[test]
fn a_failing_migration_is_a_clear_error_and_leaves_nothing_behind() {
    #[with_cells(in = BROKEN, cell1)]
    fn case(_cells: &Cells) {}
    let message = catch_unwind(case).unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert!(message.contains("setup of fixture `Cells` failed: migrating schema `BROKEN` from"), "{message}");
    assert!(message.contains("tests/migrations/broken"), "{message}");
    assert_no_leftovers();
}

#[test]
fn a_missing_migration_directory_is_a_clear_error() {
    #[with_cells(in = MISSING, cell1)]
    fn case(_cells: &Cells) {}
    let message = catch_unwind(case).unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert!(message.contains("migrating schema `MISSING` from"), "{message}");
    assert!(message.contains("does-not-exist"), "{message}");
}

/// A fixture that needs `Cells` without the test naming a schema: with several declared,
/// that is an error saying how to pick one.
pub struct NeedsCells;

#[fixture]
impl NeedsCells {
    fn setup(_cells: &Cells) -> Self {
        NeedsCells
    }
}

#[test]
fn several_schemas_need_the_test_to_pick_one() {
    #[testrig::test]
    fn case(_needs: &NeedsCells) {}
    let message = catch_unwind(case).unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert!(
        message.contains("several schemas are declared (SCHEMA, BROKEN, MISSING, SLOW)")
            || message.contains("several schemas are declared"),
        "{message}"
    );
    assert!(message.contains("#[with_cells(in = path::to::SCHEMA, ..)]"), "{message}");
}

/// Test databases live in this process's directory and are removed at teardown.
fn assert_no_leftovers() {
    // `testrig-<pid>-<random>`: the directory this process made.
    let own = format!("testrig-{}-", std::process::id());
    let dirs = ["/dev/shm".into(), std::env::temp_dir()]
        .into_iter()
        .filter_map(|root: std::path::PathBuf| std::fs::read_dir(root).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&own))
        .map(|entry| entry.path());
    for dir in dirs {
        // Other tests of this binary may be running; none of *this* test's files may remain,
        // and no template file is ever left.
        let leftovers: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("template-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// SQLite files are removed; PostgreSQL databases are reset (emptied) and pooled for the
/// next test, or gone.
#[test]
fn databases_are_removed_or_reset_after_the_test() {
    support::without_handout();
    static LOCATIONS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    #[with_cells(in = SCHEMA, cell1, cell2)]
    async fn case(cells: &Cells) {
        *LOCATIONS.lock().unwrap() = cells.locations();
        insert_instance(cells.cell("cell2"), "leftover", "host2").await;
        sqlx::query("INSERT INTO host_mappings (host, cell) VALUES ('h', 'c')").execute(cells.api()).await.unwrap();
    }
    case();
    let locations = LOCATIONS.lock().unwrap().clone();
    assert_eq!(locations.len(), 4, "api, cell0, cell1, cell2: {locations:?}");
    let remaining = support::databases::existing(&locations);
    if support::databases::server_url().is_none() {
        assert!(remaining.is_empty(), "left behind: {remaining:?}");
    }
    // Other tests may already use a pooled database; none of them writes these rows.
    for name in remaining {
        let sql = if name.ends_with("_api") {
            "SELECT COUNT(*) FROM host_mappings WHERE host = 'h'"
        } else {
            "SELECT COUNT(*) FROM instances WHERE uuid = 'leftover'"
        };
        assert_eq!(support::databases::count_in(&name, sql), 0, "{name} was pooled without being reset");
    }
}

#[poison_db]
fn poisoned_case() -> Result<(), String> {
    let from_body = catch_unwind(|| db::api().map(drop)).unwrap_err();
    let message = from_body.downcast_ref::<String>().cloned().unwrap_or_default();
    if !message.contains("does not claim the database") || !message.contains("#[with_cells(cell1, ..)]") {
        return Err(message);
    }
    let from_thread = testrig::thread::spawn(|| catch_unwind(|| db::api().map(drop)).is_err()).join().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let from_task = runtime.block_on(async { testrig::spawn(async { db::cell().map(drop) }).await.is_err() });
    if from_thread && from_task {
        Ok(())
    } else {
        Err(format!("thread tripped: {from_thread}, task tripped: {from_task}"))
    }
}

#[test]
fn poison_trips_from_the_body_a_framework_thread_and_a_spawned_task() {
    poisoned_case();
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1)]
#[ignore = "run by `bad_server_urls_are_clear_errors_without_the_password` in a child process"]
fn bad_url_case(_cells: &Cells) {}

/// Runs `bad_url_case` in a child process (the URL is read once per process) with malformed
/// URLs, an unreachable server and, when a server is there, a wrong password: each is a
/// setup failure of `Cells` saying why, and the password never shows.
#[test]
fn bad_server_urls_are_clear_errors_without_the_password() {
    let secret = "wrong-secret-pw-1234";
    let mut cases = vec![
        ("not a url".to_owned(), "TESTRIG_DATABASE_URL (or DATABASE_URL) is not a PostgreSQL URL: it must start with postgres:// or postgresql:// (found no scheme)"),
        (format!("mysql://fixture:{secret}@127.0.0.1/postgres"), "found the scheme `mysql`"),
        (format!("postgres://fixture:{secret}@127.0.0.1:notaport/postgres"), "invalid port number"),
        (format!("postgres://fixture:{secret}@127.0.0.1:1/postgres"), "cannot connect to the PostgreSQL server"),
    ];
    match support::databases::server_url() {
        Some(url) => {
            let port = url.rsplit(':').next().and_then(|tail| tail.split('/').next()).unwrap_or("5432").to_owned();
            cases.push((
                format!("postgres://fixture:{secret}@127.0.0.1:{port}/postgres"),
                "password authentication failed",
            ));
        }
        None => {
            println!("wrong password not tried: TESTRIG_DATABASE_URL is not set, so there is no server to refuse it")
        }
    }
    for (bad, expected) in cases {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "bad_url_case", "--ignored", "--test-threads=1", "--nocapture"])
            .env("TESTRIG_DATABASE_URL", &bad)
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!output.status.success(), "{text}");
        assert!(text.contains("setup of fixture `Cells` failed"), "{text}");
        assert!(text.contains(expected), "{bad}: {text}");
        assert!(!text.contains(secret), "the password leaked into the output: {text}");
    }
}

/// A server that accepts connections and never answers (a stopped postmaster, a wedged
/// proxy): setup fails within the connect timeout, naming the server and how to wait longer,
/// instead of hanging the test forever.
#[test]
fn a_server_that_never_answers_fails_setup_within_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds each connection, never writing a byte.
    let silent = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8).flatten() {
            held.push(stream);
        }
        held
    });
    drop(silent);
    let secret = "never-shown-9876";
    let started = std::time::Instant::now();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "bad_url_case", "--ignored", "--test-threads=1", "--nocapture"])
        .env("TESTRIG_DATABASE_URL", format!("postgres://testrig:{secret}@127.0.0.1:{port}/postgres"))
        .env("TESTRIG_CONNECT_TIMEOUT", "0.5")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!output.status.success(), "{text}");
    let expected = format!("the PostgreSQL server at 127.0.0.1:{port} did not answer within 500ms");
    assert!(text.contains("setup of fixture `Cells` failed") && text.contains(&expected), "{text}");
    assert!(text.contains("TESTRIG_CONNECT_TIMEOUT=<seconds> waits longer"), "{text}");
    assert!(!text.contains(secret), "the password leaked into the output: {text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
}

/// A failed test's databases stay for inspection (their names are printed); the next run's
/// reaping removes them once this process is gone. This test removes them itself.
#[test]
fn a_failed_test_keeps_its_databases_for_inspection() {
    static LOCATIONS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    #[with_cells(in = SCHEMA, cell1)]
    fn case(cells: &Cells) {
        *LOCATIONS.lock().unwrap() = cells.locations();
        panic!("the test fails");
    }
    assert!(catch_unwind(case).is_err());
    let locations = LOCATIONS.lock().unwrap().clone();
    let mut kept = support::databases::existing(&locations);
    kept.sort();
    let mut expected = locations.clone();
    expected.sort();
    assert_eq!(kept, expected, "a failed test keeps its databases");
    support::databases::remove(&locations);
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1)]
#[ignore = "run by `databases_of_a_killed_process_are_reaped_by_the_next_run` in a child process"]
fn hold_databases_case(cells: &Cells) {
    let path = std::env::var("TESTRIG_HOLD_FILE").unwrap();
    // Written whole, then renamed: the parent never reads half of it.
    std::fs::write(format!("{path}.part"), cells.locations().join("\n")).unwrap();
    std::fs::rename(format!("{path}.part"), path).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(120));
}

/// Starts `command` (this test binary, or a wrapper running it) on `hold_databases_case`
/// and waits, 60 s at most, until it holds its databases: the child, and their names.
fn start_holding(mut command: std::process::Command, tag: &str, url: &str) -> (std::process::Child, Vec<String>) {
    let hold_file = std::env::temp_dir().join(format!("testrig-hold-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_file(&hold_file);
    let child = command
        .args(["--exact", "hold_databases_case", "--ignored", "--test-threads=1"])
        .env("TESTRIG_HOLD_FILE", &hold_file)
        .env("TESTRIG_DATABASE_URL", url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !hold_file.exists() {
        assert!(std::time::Instant::now() < deadline, "the holding process made no databases within 60 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let held = std::fs::read_to_string(&hold_file).unwrap().lines().map(str::to_owned).collect();
    let _ = std::fs::remove_file(&hold_file);
    (child, held)
}

/// The next run: a new process of this test binary whose first template access reaps (or
/// waits for another's reaping). Its output, once it passed.
fn next_process_reaps(url: &str) -> std::process::Output {
    next_process_reaps_with(url, |_| {})
}

/// [`next_process_reaps`] with its command adjusted (environment) by `adjust`.
fn next_process_reaps_with(url: &str, adjust: impl FnOnce(&mut std::process::Command)) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", "iso_00", "--test-threads=1"]).env("TESTRIG_DATABASE_URL", url);
    adjust(&mut command);
    let next = command.output().unwrap();
    assert!(next.status.success(), "{next:?}");
    next
}

/// A test process killed with SIGKILL mid-test leaves its databases; the next process that
/// builds a template drops them (its pid is gone).
#[test]
fn databases_of_a_killed_process_are_reaped_by_the_next_run() {
    support::without_handout();
    let Some(url) = support::databases::postgres_url() else {
        println!(
            "skipped: {}; on SQLite the per-process directory is reaped the same way",
            support::databases::NO_POSTGRES
        );
        return;
    };
    let (mut child, held) = start_holding(std::process::Command::new(std::env::current_exe().unwrap()), "kill", &url);
    // Until they are counted, no other test's process reaps them (any may once it is gone).
    let reaping = support::databases::hold_reaper_lock(&url);
    child.kill().unwrap(); // SIGKILL: no teardown runs
    child.wait().unwrap();
    support::databases::wait_unconnected(&url, &held);

    let existing = |names: &[String]| support::databases::on_server(&url, Vec::new(), names).len();
    let before = existing(&held);
    assert_eq!(before, held.len(), "the killed process's databases exist before reaping: {held:?}");
    drop(reaping);
    next_process_reaps(&url);
    let left = support::databases::on_server(&url, Vec::new(), &held);
    let after = left.len();
    println!("databases of the killed process: {before} before the next run, {after} after");
    let described: Vec<String> =
        left.iter().map(|name| format!("{name} ({:?})", support::databases::comment_of(&url, name))).collect();
    assert_eq!(after, 0, "not reaped: {described:?}, of {held:?}");
}

/// A second CREATEDB role on the same server (not the owner of the first role's templates,
/// which only an owner may clone) gets templates of its own: its tests pass. `.ci/postgres.sh`
/// makes that role, `testrig_second`, with the first one's password.
#[test]
fn a_second_role_on_the_server_gets_templates_of_its_own() {
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; roles are a PostgreSQL server's", support::databases::NO_POSTGRES);
        return;
    };
    let second = url.replacen("://testrig:", "://testrig_second:", 1);
    let reachable = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        use sqlx::Connection;
        match sqlx::postgres::PgConnection::connect(&second).await {
            Ok(connection) => connection.close().await.is_ok(),
            Err(_) => false,
        }
    });
    if second == url || !reachable {
        println!("skipped: no role `testrig_second` with the same password on this server (.ci/postgres.sh makes one)");
        return;
    }
    // Twice: the first run builds its templates, the second clones and reuses them.
    for _ in 0..2 {
        let run = next_process_reaps_with(&url, |command| {
            command.env("TESTRIG_DATABASE_URL", &second);
        });
        let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(!text.contains("permission denied"), "{text}");
    }
}

/// A process in another pid namespace (`unshare --pid`, as in a container whose pids this
/// machine cannot see) keeps its databases while it runs, and loses them once it is killed.
#[test]
fn a_process_in_another_pid_namespace_keeps_its_databases_while_it_runs() {
    support::without_handout();
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; liveness is a PostgreSQL server's", support::databases::NO_POSTGRES);
        return;
    };
    let probe = std::process::Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "--kill-child", "true"])
        .output();
    if !probe.is_ok_and(|probe| probe.status.success()) {
        println!("skipped: `unshare --pid --fork --mount-proc` is not permitted here (it needs root)");
        return;
    }
    let mut unshare = std::process::Command::new("unshare");
    unshare.args(["--pid", "--fork", "--mount-proc", "--kill-child"]).arg(std::env::current_exe().unwrap());
    let (mut child, held) = start_holding(unshare, "ns", &url);
    let next_run = || {
        next_process_reaps(&url);
        support::databases::on_server(&url, Vec::new(), &held).len()
    };
    let while_running = next_run();
    child.kill().unwrap(); // unshare's --kill-child takes the test process with it
    child.wait().unwrap();
    support::databases::wait_unconnected(&url, &held);
    let after = next_run();
    println!("databases of a process in another pid namespace: {while_running} of {} while it ran, {after} after it was killed", held.len());
    assert_eq!(while_running, held.len(), "a running process's databases were reaped: {held:?}");
    assert_eq!(after, 0, "a killed process's databases were not reaped: {held:?}");
}

/// Liveness is the server's: a database whose owner id's advisory lock is held stays,
/// whatever host or pid namespace holds it (here a plain connection of this process, as a
/// process in another container would); one whose owner holds nothing is reaped, as is a
/// killed build's scratch database; a failed test's database marked kept stays through the
/// grace period.
#[test]
fn liveness_is_the_servers_whatever_host_or_pid_namespace() {
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; liveness is a PostgreSQL server's", support::databases::NO_POSTGRES);
        return;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (live, dead) = (0x7e57_1000 + std::process::id() % 4096, 0x7e57_9000 + std::process::id() % 4096);
    let names = [
        format!("testrig_t_{live:08x}_{now}_1_api"),
        format!("testrig_t_{dead:08x}_{now}_2_api"),
        format!("testrig_tpl_s_{:016x}_{dead:08x}", u64::from(dead)),
        format!("testrig_t_{dead:08x}_{now}_3_api"),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The live owner: its lock held on a session of its own for the whole test.
    let holder = runtime.block_on(async {
        use sqlx::Connection;
        let mut holder = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
        sqlx::query("SELECT pg_advisory_lock(2119630849, $1)").bind(live as i32).execute(&mut holder).await.unwrap();
        holder
    });
    let mut create: Vec<String> = names.iter().map(|name| format!("CREATE DATABASE \"{name}\"")).collect();
    create.push(format!("COMMENT ON DATABASE \"{}\" IS 'testrig:kept:-:{now}'", names[3]));
    support::databases::on_server(&url, create, &[]);
    next_process_reaps_with(&url, |command| {
        command.env_remove("NEXTEST_RUN_ID");
    });
    let after = support::databases::on_server(&url, Vec::new(), &names);
    support::databases::drop_on_server(&url, &names);
    runtime.block_on(sqlx::Connection::close(holder)).unwrap();
    assert!(after.contains(&names[0]), "a live owner's database was reaped: {after:?}");
    assert!(!after.contains(&names[1]), "a gone owner's database was not reaped: {after:?}");
    assert!(!after.contains(&names[2]), "a killed build's scratch database was not reaped: {after:?}");
    assert!(after.contains(&names[3]), "a kept database was reaped within its grace period: {after:?}");
}

/// `sslmode=require` in the URL is honoured (rustls), also on loopback where fixture otherwise
/// connects without TLS.
#[test]
fn tls_is_used_when_the_url_requires_it() {
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}", support::databases::NO_POSTGRES);
        return;
    };
    let ssl: (String,) = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        use sqlx::Connection;
        let mut admin = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
        sqlx::query_as("SHOW ssl").fetch_one(&mut admin).await.unwrap()
    });
    if ssl.0 != "on" {
        println!("skipped: the PostgreSQL server in TESTRIG_DATABASE_URL has ssl = {}", ssl.0);
        return;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tls_case", "--ignored", "--test-threads=1"])
        .env("TESTRIG_DATABASE_URL", format!("{url}{separator}sslmode=require"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[testrig::test]
#[with_cells(in = SCHEMA, cell1)]
#[ignore = "run by `tls_is_used_when_the_url_requires_it` in a child process"]
async fn tls_case(cells: &Cells) {
    let row: (bool,) = sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(cells.cell("cell1"))
        .await
        .unwrap();
    assert!(row.0, "the test's connection is not encrypted");
}

#[testrig::test]
#[with_cells(in = SLOW, cell1)]
#[ignore = "run by `two_processes_building_one_template_at_once_share_it` in child processes"]
async fn slow_template_case(cells: &Cells) {
    assert_eq!(count(cells.api(), "slow_marker").await, 0);
    assert_eq!(count(cells.cell("cell1"), "instances").await, 0);
}

/// Two processes that need the same missing template at the same moment: one builds it (a
/// second, under an advisory lock, into a scratch database renamed when complete), the other
/// waits and uses it; both pass, and exactly the two templates exist after, no scratch copy.
#[test]
fn two_processes_building_one_template_at_once_share_it() {
    support::without_handout();
    let Some(url) = support::databases::server_url() else {
        println!("skipped: TESTRIG_DATABASE_URL is not set; SQLite templates are per process");
        return;
    };
    let pattern = "testrig\\_tpl\\_v4\\_slow\\_%";
    let old = support::databases::like(&url, pattern);
    support::databases::drop_on_server(&url, &old);
    let children: Vec<std::process::Child> = (0..2)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "slow_template_case", "--ignored", "--test-threads=1"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut built = support::databases::like(&url, pattern);
    built.sort();
    assert_eq!(built.len(), 2, "one API and one cell template, nothing half-built: {built:?}");
    assert!(
        built[0].starts_with("testrig_tpl_v4_slow_api_") && built[1].starts_with("testrig_tpl_v4_slow_cell_"),
        "{built:?}"
    );
    assert!(
        built.iter().all(|name| name.rsplit('_').next().is_some_and(|hash| hash.len() == 16)),
        "a scratch copy is left: {built:?}"
    );
}

/// Cuts every connection of this test's databases (see `cut_connections`).
fn cut_this_tests_connections(cells: &Cells, refuse_new: bool) -> usize {
    let (url, locations) = (support::databases::server_url().unwrap(), cells.locations());
    // A thread of its own: the helper runs its own runtime, and this test already has one.
    std::thread::spawn(move || support::databases::cut_connections(&url, &locations, refuse_new)).join().unwrap()
}

fn server_to_lose() -> bool {
    let there = support::databases::server_url().is_some();
    if !there {
        println!("skipped: TESTRIG_DATABASE_URL is not set; an embedded SQLite database has no server to lose");
    }
    there
}

/// The server goes away mid-test (its connections end and new ones are refused): the next
/// query fails with the server's reason, the test fails, its databases are kept like any
/// failed test's; nothing hangs.
#[test]
fn a_server_gone_mid_test_fails_the_test_clearly() {
    if !server_to_lose() {
        return;
    }
    static LOCATIONS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    #[with_cells(in = SCHEMA, cell1)]
    async fn case(cells: &Cells) {
        *LOCATIONS.lock().unwrap() = cells.locations();
        assert!(cut_this_tests_connections(cells, true) > 0);
        let error = sqlx::query("SELECT 1").execute(cells.api()).await.expect_err("the server is gone");
        panic!("the query after the cut failed: {error}");
    }
    let message = support::panic_text(catch_unwind(case).unwrap_err());
    assert!(message.contains("the query after the cut failed: "), "{message}");
    assert!(
        ["not currently accepting connections", "terminating connection", "closed"]
            .iter()
            .any(|reason| message.contains(reason)),
        "the server's reason: {message}"
    );
    let locations = LOCATIONS.lock().unwrap().clone();
    assert_eq!(support::databases::existing(&locations).len(), 3, "a failed test keeps its databases");
    support::databases::remove(&locations);
}

/// A server restart mid-test (connections end, new ones are accepted): the test's pool
/// reconnects, the test passes, and its databases are still reset for the next test on a new
/// kept connection, or dropped: none is left unreset.
#[test]
fn a_server_restart_mid_test_leaves_nothing_behind() {
    support::without_handout();
    if !server_to_lose() {
        return;
    }
    static LOCATIONS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    #[with_cells(in = SCHEMA, cell1)]
    async fn case(cells: &Cells) {
        *LOCATIONS.lock().unwrap() = cells.locations();
        insert_instance(cells.cell("cell1"), "before-the-cut", "h").await;
        assert!(cut_this_tests_connections(cells, false) > 0);
        assert_eq!(count(cells.cell("cell1"), "instances").await, 1, "the pool reconnects");
    }
    case();
    // Pooled for the next test (reset) or dropped; a cell database may not keep the row.
    for name in support::databases::existing(&LOCATIONS.lock().unwrap()) {
        if !name.ends_with("_api") {
            let left =
                support::databases::count_in(&name, "SELECT COUNT(*) FROM instances WHERE uuid = 'before-the-cut'");
            assert_eq!(left, 0, "{name} was pooled without being reset");
        }
    }
}

/// After a migration or seed change the old template is one no process uses: once nothing
/// was built or taken from it for an hour, the next process drops it with its clean
/// databases. One that a live process marked in use (a shared advisory lock, taken before it
/// looks a template up) stays, however old.
#[test]
fn a_template_unused_for_an_hour_is_dropped_with_its_clean_databases() {
    support::without_handout();
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; SQLite templates live in one process", support::databases::NO_POSTGRES);
        return;
    };
    let old = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 2 * 60 * 60;
    let stale = format!("testrig_tpl_v4_staleprobe_main_{:016x}", std::process::id());
    let held = format!("testrig_tpl_v4_heldprobe_main_{:016x}", std::process::id());
    let dead = 0x7e57_b000 + std::process::id() % 4096;
    let clean_of_stale = format!("testrig_t_{dead:08x}_{old}_s1_main");
    let mut statements = Vec::new();
    for template in [&stale, &held] {
        statements.push(format!("CREATE DATABASE \"{template}\""));
        statements
            .push(format!("COMMENT ON DATABASE \"{template}\" IS E'testrig:template:v4\\x1f\\x1f\\x1f\\x1f{old}'"));
    }
    statements.push(format!("CREATE DATABASE \"{clean_of_stale}\""));
    statements.push(format!("COMMENT ON DATABASE \"{clean_of_stale}\" IS 'testrig:free:{stale}'"));
    // A live process using `held`: the shared lock testrig takes, on a session of its own,
    // before the template exists (as testrig takes it before looking), so that no other
    // process reaping meanwhile finds it unused.
    let fnv1a = |text: &str| {
        text.bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3))
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let holder = runtime.block_on(async {
        use sqlx::Connection;
        let mut holder = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
        sqlx::query("SELECT pg_advisory_lock_shared(2119630850, $1)")
            .bind(fnv1a(&held) as u32 as i32)
            .execute(&mut holder)
            .await
            .unwrap();
        holder
    });
    support::databases::on_server(&url, statements, &[]);
    let next = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "iso_00", "--test-threads=1"])
        .env("TESTRIG_DATABASE_URL", &url)
        .output()
        .unwrap();
    // Cleaned up before the checks, whatever they find.
    let names = [stale.clone(), held.clone(), clean_of_stale.clone()];
    let after = support::databases::on_server(&url, Vec::new(), &names);
    runtime.block_on(sqlx::Connection::close(holder)).unwrap();
    support::databases::drop_on_server(&url, &after);
    assert!(next.status.success(), "{next:?}");
    assert!(!after.contains(&stale), "a template unused for two hours was not dropped: {after:?}");
    assert!(!after.contains(&clean_of_stale), "its clean database was not dropped: {after:?}");
    assert!(after.contains(&held), "a template a live process uses was dropped: {after:?}");
}

/// Many finished processes (nextest: one per test) each leave clean databases behind. The
/// next process keeps at most 16 per template for later processes to take over, one at a time
/// as tests need them, and drops the rest, so the server does not fill up. The template here
/// is one no test uses, so no other process takes them over meanwhile: the count is exact.
#[test]
fn clean_databases_left_by_finished_processes_are_capped_per_template() {
    support::without_handout();
    let Some(url) = support::databases::postgres_url() else {
        println!("skipped: {}; SQLite databases are files of one process", support::databases::NO_POSTGRES);
        return;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let template = format!("testrig_tpl_v4_capprobe_main_{:016x}", std::process::id());
    // Clean databases of a process that is gone (nobody holds its owner id's lock), as its
    // pool left them, of a template built just now (a v4 description with its build time).
    let dead = 0x7e57_a000 + std::process::id() % 4096;
    let left: Vec<String> = (0..20).map(|i| format!("testrig_t_{dead:08x}_{now}_c{i:02}_main")).collect();
    let mut statements = vec![
        format!("CREATE DATABASE \"{template}\""),
        format!("COMMENT ON DATABASE \"{template}\" IS E'testrig:template:v4\\x1f\\x1f\\x1f\\x1f{now}'"),
    ];
    for name in &left {
        statements.push(format!("CREATE DATABASE \"{name}\""));
        statements.push(format!("COMMENT ON DATABASE \"{name}\" IS 'testrig:free:{template}'"));
    }
    support::databases::on_server(&url, statements, &[]);
    next_process_reaps(&url);
    let mut existing = support::databases::on_server(&url, Vec::new(), &left);
    existing.sort();
    let template_stays = support::databases::on_server(&url, Vec::new(), std::slice::from_ref(&template));
    support::databases::drop_on_server(&url, &existing);
    support::databases::drop_on_server(&url, &template_stays);
    println!("20 clean databases of a finished process for one template: {} kept for later processes", existing.len());
    assert_eq!(existing, left[..16], "the first 16 by name are kept, the rest dropped");
    assert_eq!(template_stays, [template], "a template built just now was dropped");
}
