//! Where SQLite test databases go when `/dev/shm` cannot take them: a 64 KB `/dev/shm` (as
//! tight as Docker's 64 MB default is for hundreds of parallel tests) and a read-only one. The
//! cases run in a child process whose `/dev/shm` is replaced in a mount namespace of its own
//! (`unshare --mount`, root only; skipped with the reason otherwise).

use sqlx::SqlitePool;

/// Eight seeded databases made at once, each checked.
macro_rules! store_cases {
    ($($name:ident),*) => {$(
        #[testrig::test]
        #[database(migrations = "tests/migrations/users", fixtures("users"))]
        #[ignore = "run by the shm_ tests in a child process with a replaced /dev/shm"]
        async fn $name(pool: &SqlitePool) {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap();
            assert_eq!(n, 2);
            sqlx::query("INSERT INTO users (name) VALUES ('carol')").execute(pool).await.unwrap();
        }
    )*};
}
store_cases!(
    store_case_0,
    store_case_1,
    store_case_2,
    store_case_3,
    store_case_4,
    store_case_5,
    store_case_6,
    store_case_7
);

/// Runs the store cases with `/dev/shm` mounted as `mount_options` in a mount namespace of
/// their own; `None` when this machine does not allow it.
fn cases_with_shm(mount_options: &str) -> Option<std::process::Output> {
    let script = format!("mount -t tmpfs -o {mount_options} tmpfs /dev/shm && exec \"$0\" \"$@\"");
    let probe = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script, "true"])
        .output();
    if !probe.is_ok_and(|probe| probe.status.success()) {
        println!("skipped: `unshare --mount` with a tmpfs over /dev/shm is not permitted here (it needs root)");
        return None;
    }
    let output = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .arg(std::env::current_exe().unwrap())
        .args(["store_case_", "--ignored", "--test-threads=8"])
        .env_remove("TESTRIG_DATABASE_URL")
        .env_remove("TESTRIG_DB_DIR")
        .output()
        .unwrap();
    Some(output)
}

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn shm_too_small_moves_the_databases_to_the_temp_dir() {
    let Some(output) = cases_with_shm("size=64k") else { return };
    let text = text(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("test result: ok. 8 passed"), "{text}");
    assert!(text.contains("testrig: /dev/shm cannot hold more test databases"), "the move is not said: {text}");
}

#[test]
fn shm_read_only_uses_the_temp_dir() {
    let Some(output) = cases_with_shm("ro") else { return };
    let text = text(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("test result: ok. 8 passed"), "{text}");
}
