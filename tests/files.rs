//! `#[files("glob", ..)]`: one case per matching file, named after it, the path relative to
//! the crate root; several patterns, `**`, and with `#[case]` rows.

use std::path::PathBuf;

use testrig::prelude::*;

thread_local! {
    /// What the last case run on this thread was given: the test calling it checks that the
    /// case its name promises got the file its name says.
    static GIVEN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn given(what: impl ToString) {
    GIVEN.with(|given| given.borrow_mut().push(what.to_string()));
}

fn taken() -> Vec<String> {
    GIVEN.with(|given| std::mem::take(&mut *given.borrow_mut()))
}

/// `tests/files_data/.hidden.txt` exists: `*` does not match a leading dot, as in a shell.
#[testrig::test]
fn one_case_per_text_file(#[files("tests/files_data/*.txt")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).unwrap();
    let n: u32 = text.trim().parse().unwrap();
    assert!(path.is_absolute(), "{}", path.display());
    assert!([1, 2].contains(&n), "{}", path.display());
    given(n);
}

#[test]
fn each_case_is_named_after_its_file() {
    one_case_per_text_file::path_one_txt();
    one_case_per_text_file::path_two_txt();
    assert_eq!(taken(), ["1", "2"], "path_one_txt read one.txt, path_two_txt two.txt");
}

#[testrig::test]
fn several_patterns_and_any_depth(#[files("tests/files_data/**/*.txt", "tests/files_data/*.json")] file: String) {
    assert!(std::path::Path::new(&file).exists(), "{file}");
}

#[test]
fn several_patterns_give_each_file_once() {
    // Named by their paths below tests/files_data/, each once.
    several_patterns_and_any_depth::file_nested_four_txt();
    several_patterns_and_any_depth::file_one_txt();
    several_patterns_and_any_depth::file_three_json();
    several_patterns_and_any_depth::file_two_txt();
}

pub struct Root(PathBuf);

#[fixture]
impl Root {
    fn setup() -> Self {
        Root(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
    }
}

#[testrig::test]
#[case::strict(true)]
#[case::lax(false)]
fn with_rows_and_fixtures(strict: bool, #[files("tests/files_data/*.json")] json: &'static str, root: &Root) {
    assert!(json.starts_with(root.0.to_str().unwrap()));
    given(format!("{strict} {}", json.rsplit('/').next().unwrap()));
}

#[test]
fn rows_times_files() {
    with_rows_and_fixtures::case_1_strict__json_three_json();
    with_rows_and_fixtures::case_2_lax__json_three_json();
    assert_eq!(taken(), ["true three.json", "false three.json"]);
}
