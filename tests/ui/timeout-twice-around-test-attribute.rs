use testrig::prelude::*;

// The first `#[timeout]` is the attribute being expanded; the duplicate is below the test's.
#[timeout(1)]
#[testrig::test]
#[timeout(2)]
fn around() {}

#[testrig::test]
#[testrig::timeout(1)]
#[timeout(2)]
fn full_path_then_short() {}

// A wrong first value is reported; the second `#[timeout]` is still a duplicate.
#[timeout(0)]
#[timeout(2)]
fn wrong_then_second() {}

fn main() {}
