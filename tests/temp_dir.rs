//! `TempDir`: each test's own directory, named after it, removed when it passes and kept
//! when it fails.
#![allow(unnameable_test_items)]

use std::path::PathBuf;
use std::sync::Mutex;

use testrig::TempDir;

static SEEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

#[test]
fn a_passing_tests_directory_is_removed() {
    #[testrig::test]
    fn writes(dir: &TempDir) {
        std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
        std::fs::write(dir.join("nested/deeper/file.txt"), "data").unwrap();
        SEEN.lock().unwrap().push(dir.path().to_owned());
    }
    writes();
    let path = SEEN.lock().unwrap().pop().unwrap();
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("temp_dir__writes-"), "{path:?}");
    assert!(!path.exists(), "a passing test's directory is removed: {path:?}");
}

#[test]
fn a_failing_tests_directory_is_kept() {
    static KEPT: Mutex<Option<PathBuf>> = Mutex::new(None);
    #[testrig::test]
    fn fails(dir: &TempDir) {
        std::fs::write(dir.join("evidence.txt"), "what went wrong").unwrap();
        *KEPT.lock().unwrap() = Some(dir.path().to_owned());
        panic!("the test fails");
    }
    assert!(std::panic::catch_unwind(fails).is_err());
    let path = KEPT.lock().unwrap().take().unwrap();
    assert_eq!(std::fs::read_to_string(path.join("evidence.txt")).unwrap(), "what went wrong");
    std::fs::remove_dir_all(&path).unwrap();
}

/// Every case and every parallel test has its own.
#[testrig::test]
fn each_case_has_its_own(#[values(1, 2, 3, 4)] n: u32, dir: &TempDir) {
    assert!(dir.path().to_string_lossy().contains(&format!("each_case_has_its_own__n_{n}_{n}-")), "{:?}", dir.path());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "it starts empty");
    std::fs::write(dir.join("mine"), n.to_string()).unwrap();
}
