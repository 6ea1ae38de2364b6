use testrig::prelude::*;

// rstest's `#[exclude]` takes a regex, which testrig does not read yet.
#[testrig::test]
fn with_exclude(#[files("*.toml")] #[exclude("^Cargo")] path: std::path::PathBuf) {
    let _ = path;
}

// Nor environment variables in `#[base_dir]`.
#[testrig::test]
fn with_an_env_var(#[files("*.toml")] #[base_dir = "${DATA:-.}"] path: std::path::PathBuf) {
    let _ = path;
}

// `#[mode]` is `path`, `str` or `bytes`.
#[testrig::test]
fn with_a_mode(#[files("*.toml")] #[mode = text] path: &str) {
    let _ = path;
}

fn main() {}
