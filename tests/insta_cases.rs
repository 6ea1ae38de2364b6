//! With the `insta` feature, each case of a parametrized test writes its own snapshot
//! (`<test>@<case>`), so cases (run in parallel) never overwrite or compare against each
//! other's; a test without cases is named as insta names it.

use testrig::prelude::*;

/// Snapshots of this file are kept in `tests/snapshots/`, checked in; a case writing another
/// case's snapshot would fail its assertion against the checked-in one.
#[testrig::test]
#[case::small(1)]
#[case::large(1000)]
fn each_case_has_its_own_snapshot(n: u32) {
    insta::assert_snapshot!(format!("n = {n}"));
}

#[testrig::test]
fn values_cases_too(#[values("a", "b")] letter: &'static str) {
    insta::assert_snapshot!(letter);
}

#[testrig::test]
fn a_test_without_cases_keeps_insta_s_name() {
    insta::assert_snapshot!("plain");
}

#[test]
fn the_snapshot_files_are_named_per_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for name in [
        // insta prepends the module path: a parametrized test is a module of its name.
        "insta_cases__each_case_has_its_own_snapshot__each_case_has_its_own_snapshot@case_1_small.snap",
        "insta_cases__each_case_has_its_own_snapshot__each_case_has_its_own_snapshot@case_2_large.snap",
        "insta_cases__values_cases_too__values_cases_too@letter_1___a__.snap",
        "insta_cases__values_cases_too__values_cases_too@letter_2___b__.snap",
        "insta_cases__a_test_without_cases_keeps_insta_s_name.snap",
    ] {
        assert!(dir.join(name).is_file(), "no {name} in {}", dir.display());
    }
}

/// On a worker of a multi-thread runtime and in a thread the test starts, too.
#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
#[case::one(1)]
#[case::two(2)]
async fn on_every_thread_of_the_case(n: u32) {
    tokio::spawn(async move { insta::assert_snapshot!("worker", format!("worker {n}")) }).await.unwrap();
    testrig::thread::spawn(move || insta::assert_snapshot!("thread", format!("thread {n}"))).join().unwrap();
}
