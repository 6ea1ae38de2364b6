//! Lint attributes of a test apply to its own function: dropped, the unused variable would
//! warn; put on the generated wrapper, the expectation would go unfulfilled. Either way,
//! `deny(warnings)` fails the build.
#![deny(warnings)]

/// Doc comments are kept too.
#[testrig::test]
#[expect(unused_variables, reason = "the lint applies to the test's body")]
fn lint_attributes_apply_to_the_body() {
    let unused = 1;
}

fn main() {
    lint_attributes_apply_to_the_body();
}
