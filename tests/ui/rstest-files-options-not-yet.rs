use testrig::prelude::*;

#[testrig::test]
fn with_base_dir(#[files("*.txt")] #[base_dir = "tests/data"] path: std::path::PathBuf) {
    let _ = path;
}

#[testrig::test]
fn with_exclude(#[files("tests/ui/*.rs")] #[exclude("^tests/ui/a")] path: std::path::PathBuf) {
    let _ = path;
}

fn main() {}
