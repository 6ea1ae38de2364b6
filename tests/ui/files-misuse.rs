use std::path::PathBuf;

#[testrig::test]
fn nothing_matches(#[files("tests/no_such_dir/*.txt")] path: PathBuf) {
    let _ = path;
}

#[testrig::test]
fn not_a_glob(#[files("tests/[")] path: PathBuf) {
    let _ = path;
}

#[testrig::test]
fn not_a_string(#[files(tests)] path: PathBuf) {
    let _ = path;
}

#[testrig::test]
fn no_pattern(#[files()] path: PathBuf) {
    let _ = path;
}


#[testrig::test]
fn absolute(#[files("/etc/hostname")] path: PathBuf) {
    let _ = path;
}
fn main() {}
