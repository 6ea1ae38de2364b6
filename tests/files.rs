//! `#[files("glob", ..)]`: one case per matching file, named as rstest names it (the
//! parameter, the file's position, its path from the crate root); the path relative to the
//! crate root; several patterns, `**`, and with `#[case]` rows.

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
    one_case_per_text_file::path_1_tests_files_data_one_txt();
    one_case_per_text_file::path_2_tests_files_data_two_txt();
    assert_eq!(taken(), ["1", "2"], "path_1_.._one_txt read one.txt, path_2_.._two_txt two.txt");
}

#[testrig::test]
fn several_patterns_and_any_depth(#[files("tests/files_data/**/*.txt", "tests/files_data/*.json")] file: String) {
    assert!(std::path::Path::new(&file).exists(), "{file}");
}

#[test]
fn several_patterns_give_each_file_once() {
    // Sorted by path, each once.
    several_patterns_and_any_depth::file_1_tests_files_data_nested_four_txt();
    several_patterns_and_any_depth::file_2_tests_files_data_one_txt();
    several_patterns_and_any_depth::file_3_tests_files_data_three_json();
    several_patterns_and_any_depth::file_4_tests_files_data_two_txt();
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
    with_rows_and_fixtures::case_1_strict::json_1_tests_files_data_three_json();
    with_rows_and_fixtures::case_2_lax::json_1_tests_files_data_three_json();
    assert_eq!(taken(), ["true three.json", "false three.json"]);
}

// rstest's options of `#[files]`, named as rstest names their cases.
#[testrig::test]
fn from_a_base_dir(
    #[files("*.txt")]
    #[base_dir = "tests/files_data"]
    path: PathBuf,
) {
    assert!(path.ends_with("one.txt") || path.ends_with("two.txt"), "{}", path.display());
}

#[testrig::test]
fn dot_files_when_asked(
    #[files("*.txt")]
    #[base_dir = "tests/files_data"]
    #[include_dot_files]
    path: PathBuf,
) {
    assert!(path.exists(), "{}", path.display());
}

#[testrig::test]
fn directories_too(
    #[files("*")]
    #[base_dir = "tests/files_data"]
    #[dirs]
    path: PathBuf,
) {
    assert!(path.exists(), "{}", path.display());
}

#[testrig::test]
fn the_text_of_each(
    #[files("*.txt")]
    #[base_dir = "tests/files_data"]
    #[mode = str]
    text: &str,
) {
    let n: u32 = text.trim().parse().unwrap();
    assert!([1, 2].contains(&n));
}

#[testrig::test]
fn the_bytes_of_each(
    #[files("*.txt")]
    #[base_dir = "tests/files_data/nested"]
    #[mode = bytes]
    bytes: &[u8],
) {
    assert_eq!(bytes.first(), Some(&b'4'));
}

#[testrig::test]
fn above_the_base_dir(
    #[files("../*.json")]
    #[base_dir = "tests/files_data/nested"]
    path: PathBuf,
) {
    assert!(path.ends_with("three.json"), "{}", path.display());
}

#[test]
fn rstests_options_name_cases_as_rstest_does() {
    let list = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--format", "terse"])
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    for name in [
        "from_a_base_dir::path_1_one_txt: test",
        "from_a_base_dir::path_2_two_txt: test",
        "dot_files_when_asked::path_1__hidden_txt: test",
        "directories_too::path_1_nested: test",
        "the_text_of_each::text_2_two_txt: test",
        "above_the_base_dir::path_1__UP_three_json: test",
    ] {
        assert!(list.lines().any(|line| line == name), "{name} not in:\n{list}");
    }
}
