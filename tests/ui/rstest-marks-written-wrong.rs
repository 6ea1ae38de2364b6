use testrig::prelude::*;

#[fixture]
fn base() -> u32 {
    2
}

#[testrig::test]
fn from_a_string(#[from("base")] b: u32) {
    let _ = b;
}

#[testrig::test]
#[case(1)]
fn case_with_options(#[case(opt)] n: Option<u32>) {
    let _ = n;
}

#[testrig::test]
#[case(1)]
fn case_value_from_a_fixture(#[case] #[from(base)] n: u32) {
    let _ = n;
}

fn main() {}
