//! Cargo in a crate of `tests/outside` (or `examples/`), as its user runs it: its own
//! manifest, the shared target directory `target/outside` (each dependency builds once), none
//! of this run's flags.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `tests/outside/<name>`, or the example crate `examples/<name>` named so.
pub fn crate_dir(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if name.starts_with("examples/") {
        root.join(name)
    } else {
        root.join("tests/outside").join(name)
    }
}

/// `cargo <args>` for crate `name`; what follows a `--` in `args` goes to the test binary.
pub fn command(name: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/outside");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let split = args.iter().position(|arg| *arg == "--").unwrap_or(args.len());
    let mut command = Command::new(cargo);
    command
        .args(&args[..split])
        .arg("--manifest-path")
        .arg(crate_dir(name).join("Cargo.toml"))
        .args(&args[split..])
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        // The user's crate is built as a user builds it, not with this run's flags.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        // The app's `query!` macros read .sqlx/, never a server of this run.
        .env_remove("DATABASE_URL")
        // A run of this suite under nextest is not the outside crate's run.
        .env_remove("NEXTEST_RUN_ID")
        .envs(env.iter().copied());
    command
}

pub fn output(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    match command(name, args, env).output() {
        Ok(output) => output,
        Err(error) => panic!("cannot run cargo for {}: {error}", crate_dir(name).display()),
    }
}

/// Everything it printed.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// What is left in `dir`, and the processes running with a path in it (a server, a keeper):
/// both empty once a run cleaned up after itself.
pub fn left_in(dir: &Path) -> (Vec<String>, Vec<String>) {
    let files = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|entry| entry.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let needle = dir.display().to_string();
    let processes = std::fs::read_dir("/proc")
        .map(|procs| {
            procs
                .flatten()
                .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
                .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
                .filter(|cmdline| cmdline.contains(&needle))
                .collect()
        })
        .unwrap_or_default();
    (files, processes)
}
