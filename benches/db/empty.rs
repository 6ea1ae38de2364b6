//! 30 empty tests: what a process per test costs before any fixture (`compare_nextest.sh`'s
//! baseline). Ignored in ordinary runs.

macro_rules! tests {
    ($($name:ident,)*) => {
        mod empty {$(
            #[test]
            #[ignore = "benchmark: run by benches/compare_nextest.sh"]
            fn $name() {}
        )*}
    };
}

include!("thirty.rs");
