use testrig::prelude::*;

#[testrig::test]
fn with_base_dir(#[files("Cargo.toml")] #[base_dir = "tests/data"] path: std::path::PathBuf) {
    let _ = path;
}

#[testrig::test]
fn with_exclude(#[files("*.toml")] #[exclude("^Cargo")] path: std::path::PathBuf) {
    let _ = path;
}

fn main() {}
