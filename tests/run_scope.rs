//! `#[fixture(scope = run)]` across processes: tests/outside/run_scope run under `cargo test`
//! and `cargo nextest run` in each way a run goes — one job or eight, retries, two partitions
//! at once, a test killed with `kill -9`, the runner killed, a setup that fails — and its
//! ledger read back: one setup and one teardown per run, after its last test, in order, and
//! nothing left running or on disk.
//!
//! Needs `cargo nextest` (CI installs it); without it, the nextest cases say so and pass,
//! except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

#[path = "support/databases.rs"]
mod databases;
#[path = "support/outside.rs"]
mod outside;

use outside::text;

const CRATE: &str = "run_scope";
/// The tests of the crate that take the server.
const SERVER_TESTS: usize = 13;

/// One scenario at a time: they start runners, kill processes by pid and time nothing, but
/// eight jobs of two runs on two cores is no place to watch a keeper.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A scenario's own files: the ledger the crate's fixtures and tests write, and the directory
/// the run's keepers keep their files in (`TESTRIG_RUN_DIR`), which must be empty after.
struct Scenario {
    dir: PathBuf,
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

impl Scenario {
    fn new(name: &str) -> Scenario {
        let one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/run_scope").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("runs")).expect("the scenario's directory is made");
        Scenario { dir, _one_at_a_time: one_at_a_time }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("RUN_SCOPE_LEDGER", self.dir.join("ledger").display().to_string()),
            ("TESTRIG_RUN_DIR", self.dir.join("runs").display().to_string()),
            ("TESTRIG_RUN_GRACE", "3".to_owned()),
        ]
    }

    fn cargo(&self, args: &[&str], extra: &[(&'static str, String)]) -> Output {
        self.cargo_in(CRATE, args, extra)
    }

    /// Cargo in another crate of tests/outside, with this scenario's run directory.
    fn cargo_in(&self, name: &str, args: &[&str], extra: &[(&'static str, String)]) -> Output {
        let env: Vec<(&str, String)> = self.env().into_iter().chain(extra.iter().cloned()).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
        outside::output(name, args, &env)
    }

    fn ledger(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("ledger")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// Waits (at most a minute) for the run's keepers to leave: their directory empty, and
    /// every process that set something up gone.
    fn keepers_left(&self) {
        let runs = self.dir.join("runs");
        let started = Instant::now();
        loop {
            let left: Vec<_> =
                std::fs::read_dir(&runs).map(|dir| dir.flatten().map(|e| e.path()).collect()).unwrap_or_default();
            let setters: Vec<u32> = self
                .ledger()
                .iter()
                .filter(|line| line.starts_with("setup "))
                .filter_map(|line| pid_of(line))
                .collect();
            let running: Vec<u32> = setters.into_iter().filter(|pid| alive(*pid)).collect();
            if left.is_empty() && running.is_empty() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "a minute after the run, its keepers are still there: files {left:?}, processes {running:?}; ledger:\n{}",
                self.ledger().join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Lines of the ledger that start with `prefix`.
    fn lines(&self, prefix: &str) -> Vec<String> {
        self.ledger().into_iter().filter(|line| line.starts_with(prefix)).collect()
    }
}

/// The pid a ledger line names: `setup Server <pid> ..`, `test t01 <pid> ..`.
fn pid_of(line: &str) -> Option<u32> {
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The token (which server) a line names, last on it.
fn token_of(line: &str) -> &str {
    line.rsplit(' ').next().unwrap_or_default()
}

/// Whether the process runs (a zombie, waiting for its parent to read its status, does not).
fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
    matches!(state, Some(state) if state != "Z" && state != "X")
}

/// Whether `cargo nextest` can run here; when it cannot, why, and the test passes saying so —
/// unless `CI` is set, where nextest is installed and its absence is a failure.
fn nextest() -> bool {
    let found = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "`cargo nextest` is not installed, and CI must run these cases");
        eprintln!("skipped: `cargo nextest` is not installed (cargo install cargo-nextest)");
    }
    found
}

/// One setup and one teardown of each run fixture, the dependent torn down first, after every
/// test; every test saw that one server. Returns its token.
fn one_instance(scenario: &Scenario, tests: usize) -> String {
    let ledger = scenario.ledger().join("\n");
    let servers = scenario.lines("setup Server");
    assert_eq!(servers.len(), 1, "the server is set up once per run:\n{ledger}");
    let token = token_of(&servers[0]).to_owned();
    assert_eq!(scenario.lines("teardown Server").len(), 1, "the server is torn down once:\n{ledger}");
    assert_eq!(scenario.lines("setup Client").len(), 1, "the client is set up once:\n{ledger}");
    let tested: Vec<String> =
        scenario.lines("test ").into_iter().filter(|line| !line.starts_with("test broken")).collect();
    assert!(tested.len() >= tests, "{tests} tests of the server ran:\n{ledger}");
    assert!(tested.iter().all(|line| token_of(line) == token), "every test saw the one server:\n{ledger}");
    let lines = scenario.ledger();
    let at = |prefix: &str| lines.iter().position(|line| line.starts_with(prefix)).expect("the line is there");
    let last_test = lines.iter().rposition(|line| line.starts_with("test ")).expect("tests ran");
    assert!(at("teardown Client") > last_test, "torn down after the last test:\n{ledger}");
    assert!(at("teardown Server") > at("teardown Client"), "the client, which requires the server, first:\n{ledger}");
    token
}

#[test]
fn under_cargo_test_the_process_is_the_run() {
    let scenario = Scenario::new("cargo_test");
    let run = scenario.cargo(&["test", "--test", "run"], &[]);
    assert!(run.status.success(), "{}", text(&run));
    one_instance(&scenario, SERVER_TESTS);
    let setter = pid_of(&scenario.lines("setup Server")[0]);
    assert!(
        scenario.lines("test t").iter().all(|line| pid_of(line) == setter),
        "no keeper: the test process set it up"
    );
    scenario.keepers_left();
}

#[test]
fn under_nextest_the_run_sets_up_once_and_tears_down_after_its_last_test() {
    if !nextest() {
        return;
    }
    for jobs in ["1", "8"] {
        let scenario = Scenario::new(&format!("nextest_j{jobs}"));
        let show = [("TESTRIG_SHOW", "1".to_owned())];
        let run =
            scenario.cargo(&["nextest", "run", "--test", "run", "-j", jobs, "--success-output", "immediate"], &show);
        assert!(run.status.success(), "{}", text(&run));
        scenario.keepers_left();
        one_instance(&scenario, SERVER_TESTS);
        // Set up in a keeper, not in any test's process, which all ended before it tore down.
        let keeper = pid_of(&scenario.lines("setup Server")[0]);
        assert!(scenario.lines("test ").iter().all(|line| pid_of(line) != keeper), "{}", scenario.ledger().join("\n"));
        let out = text(&run);
        assert!(
            out.contains("(run: set up for this test by its keeper, pid"),
            "TESTRIG_SHOW says who set it up:\n{out}"
        );
        assert!(
            out.contains("(run: attached, set up earlier in this run by its keeper, pid"),
            "and who attached:\n{out}"
        );
    }
}

#[test]
fn retries_belong_to_the_run() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("retries");
    let flaky = [("RUN_SCOPE_FLAKY", scenario.dir.display().to_string())];
    let run = scenario.cargo(&["nextest", "run", "--test", "run", "-j", "2", "--retries", "2"], &flaky);
    assert!(run.status.success(), "{}", text(&run));
    assert!(text(&run).contains("TRY 2 PASS"), "the flaky test passed on its retry:\n{}", text(&run));
    scenario.keepers_left();
    one_instance(&scenario, SERVER_TESTS);
}

/// A run fixture in a `tests/common/mod.rs` that two test binaries include is one per run
/// for both, as it is for the processes of one binary: its path in the crate and its code are
/// the same. A fixture at the same path with other code (a third binary's) has its own, and so
/// has one of the common module that requires each binary's own run fixture.
#[test]
fn test_binaries_including_one_common_module_share_its_run_fixture() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("common_module");
    let binaries = "binary(shared_a) | binary(shared_b) | binary(shared_c)";
    let run = scenario.cargo(&["nextest", "run", "-E", binaries, "-j", "4"], &[]);
    assert!(run.status.success(), "{}", text(&run));
    scenario.keepers_left();
    let ledger = scenario.ledger().join("\n");
    let common = scenario.lines("setup Common ");
    assert_eq!(common.len(), 1, "set up once for both binaries:\n{ledger}");
    assert_eq!(scenario.lines("teardown Common ").len(), 1, "torn down once:\n{ledger}");
    let token = token_of(&common[0]);
    // Its dependent requires each binary's own `Local`: one per binary (each binary's test
    // checks it got the one on its own).
    assert_eq!(scenario.lines("setup OnLocal ").len(), 2, "one on each binary's Local:\n{ledger}");
    let tests = [scenario.lines("test shared_a "), scenario.lines("test shared_b ")].concat();
    assert_eq!(tests.len(), 4, "{ledger}");
    assert!(tests.iter().all(|line| token_of(line) == token), "every test of both saw the one instance:\n{ledger}");
    assert_eq!(scenario.lines("setup OtherCommon ").len(), 1, "the other code's own instance:\n{ledger}");
    let other = scenario.lines("test shared_c ");
    assert!(other.len() == 1 && token_of(&other[0]).starts_with("other-"), "{ledger}");
}

#[test]
fn two_runs_at_once_get_two_instances() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("two_runs");
    // Built first: two cargos at once would wait for each other's build lock, not run together.
    let built = scenario.cargo(&["nextest", "run", "--test", "run", "--no-run"], &[]);
    assert!(built.status.success(), "{}", text(&built));
    let env: Vec<(&str, String)> = scenario.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let partitions: Vec<_> = ["count:1/2", "count:2/2"]
        .into_iter()
        .map(|partition| {
            outside::command(CRATE, &["nextest", "run", "--test", "run", "-j", "2", "--partition", partition], &env)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the partition's runner starts")
        })
        .collect();
    for partition in partitions {
        let run = partition.wait_with_output().expect("the partition's runner ends");
        assert!(run.status.success(), "{}", text(&run));
    }
    scenario.keepers_left();
    let ledger = scenario.ledger().join("\n");
    let servers: Vec<String> = scenario.lines("setup Server").iter().map(|line| token_of(line).to_owned()).collect();
    assert_eq!(servers.len(), 2, "each run (partition) has its own server:\n{ledger}");
    assert_ne!(servers[0], servers[1], "{ledger}");
    let torn_down: Vec<String> =
        scenario.lines("teardown Server").iter().map(|line| token_of(line).to_owned()).collect();
    assert_eq!(torn_down.len(), 2, "each torn down once:\n{ledger}");
    for line in scenario.lines("test t") {
        assert!(servers.iter().any(|server| server == token_of(&line)), "{line}: a server of its run\n{ledger}");
    }
}

#[test]
fn a_test_killed_with_kill_9_leaves_the_run_going_and_torn_down_once() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("killed_test");
    let run = scenario.cargo(
        &["nextest", "run", "--test", "run", "-j", "2", "--no-fail-fast"],
        &[("RUN_SCOPE_KILL", "1".to_owned())],
    );
    let out = text(&run);
    assert!(!run.status.success(), "the killed test fails:\n{out}");
    assert!(out.contains("SIGKILL") && out.contains("killed"), "{out}");
    assert!(out.contains("14 passed"), "the others pass:\n{out}");
    assert_eq!(scenario.lines("killing").len(), 1, "{}", scenario.ledger().join("\n"));
    scenario.keepers_left();
    one_instance(&scenario, SERVER_TESTS - 1);
}

#[test]
fn the_runner_killed_still_tears_down_within_its_grace() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("killed_runner");
    let built = scenario.cargo(&["nextest", "run", "--test", "run", "--no-run"], &[]);
    assert!(built.status.success(), "{}", text(&built));
    let release = scenario.dir.join("release");
    let env: Vec<(&str, String)> =
        scenario.env().into_iter().chain([("RUN_SCOPE_BLOCK", release.display().to_string())]).collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let mut cargo = outside::command(CRATE, &["nextest", "run", "--test", "run", "-j", "1", "blocked"], &env)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the runner starts");
    let started = Instant::now();
    let runner = loop {
        if let Some(line) = scenario.lines("blocking").first() {
            break line.rsplit(' ').next().and_then(|pid| pid.parse::<u32>().ok()).expect("the runner's pid");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the blocking test never started");
        std::thread::sleep(Duration::from_millis(50));
    };
    let killed = std::process::Command::new("kill").args(["-9", &runner.to_string()]).status();
    assert!(killed.is_ok_and(|status| status.success()), "the runner {runner} is killed");
    let _ = cargo.wait();
    // The blocked test still runs, orphaned, holding its lease: the keeper waits out its
    // grace (3 s here), then tears down.
    let killed_at = Instant::now();
    while scenario.lines("teardown Server").is_empty() {
        assert!(killed_at.elapsed() < Duration::from_secs(30), "no teardown 30 s after the runner was killed");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(&release, "").expect("the blocked test is released");
    scenario.keepers_left();
    assert_eq!(scenario.lines("setup Server").len(), 1);
    assert_eq!(scenario.lines("teardown Server").len(), 1);
}

#[test]
fn a_setup_that_fails_fails_every_test_needing_it_once() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("failed_setup");
    let run = scenario.cargo(
        &["nextest", "run", "--test", "run", "-j", "2", "--no-fail-fast"],
        &[("RUN_SCOPE_BREAK", "1".to_owned())],
    );
    let out = text(&run);
    assert!(!run.status.success(), "{out}");
    assert!(out.contains("2 failed"), "both tests needing it fail:\n{out}");
    assert!(out.contains("13 passed"), "the others pass:\n{out}");
    for test in ["broken_a", "broken_b"] {
        let failed = out.lines().any(|line| line.contains("FAIL [") && line.ends_with(test));
        assert!(failed, "{test} fails:\n{out}");
    }
    assert!(out.contains("run fixture `Broken`") && out.contains("fails on purpose"), "naming it and why:\n{out}");
    assert_eq!(scenario.lines("setup Broken").len(), 1, "tried once:\n{}", scenario.ledger().join("\n"));
    assert!(scenario.lines("test broken").is_empty());
    scenario.keepers_left();
}

#[test]
fn the_readme_example_runs_as_written_under_both_runners() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let code = std::fs::read_to_string(outside::crate_dir(CRATE).join("tests/readme.rs")).unwrap();
    assert!(
        readme.contains(&format!("```rust\n{code}```")),
        "README's run example differs from tests/outside/run_scope"
    );
    let scenario = Scenario::new("readme");
    let run = scenario.cargo(&["test", "--test", "readme"], &[]);
    assert!(run.status.success(), "{}", text(&run));
    if nextest() {
        let run = scenario.cargo(&["nextest", "run", "--test", "readme"], &[]);
        assert!(run.status.success(), "{}", text(&run));
        scenario.keepers_left();
    }
}

#[test]
fn a_target_runner_between_nextest_and_the_tests_is_not_taken_for_the_runner() {
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("target_runner");
    // A wrapper that stays the test's parent (a shell that does not exec its last command),
    // as a target runner or a nextest wrapper script does: it exits after each test.
    let wrapper = scenario.dir.join("wrapper.sh");
    std::fs::write(&wrapper, "#!/bin/sh\n\"$@\"\nstatus=$?\nexit $status\n").expect("the wrapper is written");
    let made_executable = std::process::Command::new("chmod").arg("+x").arg(&wrapper).status();
    assert!(made_executable.is_ok_and(|status| status.success()));
    let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc names its host");
    let target = format!("CARGO_TARGET_{}_RUNNER", host.to_uppercase().replace('-', "_"));
    let runner = [(Box::leak(target.into_boxed_str()) as &'static str, wrapper.display().to_string())];
    let run = scenario.cargo(&["nextest", "run", "--test", "run", "-j", "1"], &runner);
    assert!(run.status.success(), "{}", text(&run));
    scenario.keepers_left();
    one_instance(&scenario, SERVER_TESTS);
}

/// The clean databases of the app in tests/outside/sqlx08_app a run left on the server, each
/// with whether it is sealed (no connection allowed).
fn left_clean(url: &str) -> Vec<(String, bool)> {
    databases::clean_of(url, "testrig_tpl_v4_sqlx08app_")
}

/// The run's database handout seals the clean databases it leaves: connections forbidden
/// before their last check and reset, so the next run hands one out with no check and reset
/// of its own (~35 ms of a run's first test). One someone unsealed meanwhile is checked and
/// reset as any other: every clean database of the app is unsealed and written to between
/// runs, and the next run's test still sees only its seeds (it fails on a row it did not
/// expect, and on the id it inserts being taken). Each sealed one a run leaves holds no
/// test's row (a leak would show here first).
#[test]
fn a_database_unsealed_between_runs_is_checked_and_reset_before_the_next_run_hands_it_out() {
    let Some(url) = databases::postgres_url() else {
        println!("skipped: {}", databases::NO_POSTGRES);
        return;
    };
    if !nextest() {
        return;
    }
    let scenario = Scenario::new("sealed");
    let server = [("TESTRIG_DATABASE_URL", url.clone())];
    let run = || {
        let run =
            scenario.cargo_in("sqlx08_app", &["nextest", "run", "--test", "notes", "-E", "test(on_postgres)"], &server);
        assert!(run.status.success(), "{}", text(&run));
        scenario.keepers_left();
    };
    run();
    let clean = left_clean(&url);
    assert!(clean.iter().any(|(_, sealed)| *sealed), "the run's keeper sealed the databases it left clean: {clean:?}");
    for (name, sealed) in &clean {
        // A sealed one is trusted as it is, so it must be clean: its seeds (rows 1 and 2, or
        // none for the unseeded template) and nothing a test wrote (3, 9) or deleted. An
        // unsealed one is not trusted (checked and reset when adopted): it may hold anything,
        // as those this test wrote to on an earlier run of it do.
        if *sealed {
            let unsealed =
                databases::on_server(&url, vec![format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")], &[]);
            assert!(unsealed.is_empty());
            let seeds = databases::count_in(name, "SELECT count(*) FROM notes WHERE id IN (1, 2)");
            let written = databases::count_in(name, "SELECT count(*) FROM notes WHERE id NOT IN (1, 2)");
            assert!(
                written == 0 && (seeds == 0 || seeds == 2),
                "{name}, left sealed, holds {seeds} seed rows and {written} a test wrote; all: {clean:?}"
            );
        }
        databases::run_in(
            name,
            "INSERT INTO notes (id, body) VALUES (3, 'written while unsealed') ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        );
    }
    run();
    assert!(left_clean(&url).iter().any(|(_, sealed)| *sealed), "the second run sealed what it left clean too");
    // And a sealed one is handed out as it is.
    run();
}
