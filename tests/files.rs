//! `#[files("glob", ..)]`: one case per matching file, named after it, the path relative to
//! the crate root; several patterns, `**`, and with `#[case]` rows.

use std::path::PathBuf;

use testrig::prelude::*;

/// `tests/files_data/.hidden.txt` exists: `*` does not match a leading dot, as in a shell.
#[testrig::test]
fn one_case_per_text_file(#[files("tests/files_data/*.txt")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).unwrap();
    let n: u32 = text.trim().parse().unwrap();
    assert!(path.is_absolute(), "{}", path.display());
    assert!([1, 2].contains(&n), "{}", path.display());
}

#[test]
fn the_cases_are_named_after_the_files_in_path_order() {
    one_case_per_text_file::path_one_txt();
    one_case_per_text_file::path_two_txt();
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
    let _ = strict;
}

#[test]
fn rows_times_files() {
    with_rows_and_fixtures::case_1_strict__json_three_json();
    with_rows_and_fixtures::case_2_lax__json_three_json();
}
