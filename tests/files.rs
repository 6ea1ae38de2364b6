//! `#[files("glob", ..)]`: one case per matching file, named after it, the path relative to
//! the crate root; several patterns, `**`, and with `#[case]` rows.

use std::path::PathBuf;

use testrig::prelude::*;

#[testrig::test]
fn one_case_per_text_file(#[files("tests/files_data/*.txt")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).unwrap();
    let n: u32 = text.trim().parse().unwrap();
    assert!(path.is_absolute(), "{}", path.display());
    assert!([1, 2].contains(&n), "{}", path.display());
}

#[test]
fn the_cases_are_named_after_the_files_in_path_order() {
    one_case_per_text_file::path_1_one_txt();
    one_case_per_text_file::path_2_two_txt();
}

#[testrig::test]
fn several_patterns_and_any_depth(#[files("tests/files_data/**/*.txt", "tests/files_data/*.json")] file: String) {
    assert!(std::path::Path::new(&file).exists(), "{file}");
}

#[test]
fn several_patterns_give_each_file_once() {
    // nested/four.txt, one.txt, three.json, two.txt: sorted by path.
    several_patterns_and_any_depth::file_1_four_txt();
    several_patterns_and_any_depth::file_2_one_txt();
    several_patterns_and_any_depth::file_3_three_json();
    several_patterns_and_any_depth::file_4_two_txt();
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
    with_rows_and_fixtures::case_1_strict__json_1_three_json();
    with_rows_and_fixtures::case_2_lax__json_1_three_json();
}
