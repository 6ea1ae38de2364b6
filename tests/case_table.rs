//! `testrig::case_table!` + `#[cases(table)]`: one table of rows on several tests, with rows
//! of their own before and after it, from a module, with fixtures and `#[values]`.

use testrig::prelude::*;

mod tables {
    testrig::case_table! {
        /// Sizes.
        sizes {
            #[case::small(1)]
            #[case::large(1000)]
        }
    }

    testrig::case_table! {
        pairs {
            #[case(1, "1")]
            #[case(22, "22")]
        }
    }
}

pub struct Limit(u32);

#[fixture]
impl Limit {
    fn setup() -> Self {
        Limit(1_000_000)
    }
}

#[testrig::test]
#[cases(tables::sizes)]
fn below_the_limit(n: u32, limit: &Limit) {
    assert!(n < limit.0);
}

#[testrig::test]
#[case::zero(0)]
#[cases(tables::sizes)]
#[case::huge(999_999)]
fn rows_keep_their_order(n: u32) {
    assert!(n < 1_000_000);
}

#[testrig::test]
#[cases(tables::pairs)]
fn two_columns(n: u32, text: &'static str, #[values(1, 2)] times: u32) {
    assert_eq!(n.to_string(), text);
    assert!(times > 0);
}

/// A table's rows, by the names the test gets; a row panicking marks only its case.
#[testrig::test]
#[cases(tables::sizes)]
#[conf(in = CONF, limit = 5)]
fn with_other_attributes(n: u32) {
    assert_eq!(CONF.get().limit, 5);
    assert!(n > 0);
}

#[derive(Clone, Default)]
pub struct Settings {
    pub limit: u32,
}

pub static CONF: testrig::Conf<Settings> = testrig::Conf::new();

#[test]
fn every_row_is_a_case_named_as_written() {
    below_the_limit::case_1_small();
    below_the_limit::case_2_large();
    rows_keep_their_order::case_1_zero();
    rows_keep_their_order::case_2_small();
    rows_keep_their_order::case_3_large();
    rows_keep_their_order::case_4_huge();
    two_columns::case_1::times_1_1();
    two_columns::case_2::times_2_2();
    with_other_attributes::case_1_small();
}
