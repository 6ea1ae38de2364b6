use testrig::prelude::*;

#[fixture]
fn scratch_dir() -> std::path::PathBuf {
    std::env::temp_dir()
}

// The fixture is `ScratchDir` (a wrapper dereferencing to `PathBuf`), not `PathBuf`.
#[testrig::test]
fn names_the_inner_type(dir: &std::path::PathBuf) {
    let _ = dir;
}

fn main() {}
