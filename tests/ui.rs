//! Every misuse of the macros is a compile error at the offending token that says what to
//! write instead. Regenerate the expected output with `TRYBUILD=overwrite` and review the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    // What must compile without a warning.
    cases.pass("tests/ui-pass/*.rs");
}
