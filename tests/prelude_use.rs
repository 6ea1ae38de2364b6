//! `use testrig::prelude::*` in a module whose tests read only attributes it brings (`#[env]`,
//! `#[case]`) is used, also where the test attribute is written `#[::testrig::test]`: rustc
//! never resolves the attributes the macro reads. (The prelude holds `testrig` itself, which
//! the import's own path resolves through.) `deny` makes this file fail to build when it is
//! reported unused.
#![deny(unused_imports)]

mod env_only {
    use testrig::prelude::*;

    #[testrig::test]
    #[env(TESTRIG_PRELUDE_USE = "set")]
    fn reads_its_env() {
        assert_eq!(std::env::var("TESTRIG_PRELUDE_USE").as_deref(), Ok("set"));
    }
}

mod cases_only {
    use testrig::prelude::*;

    #[testrig::test]
    #[case(1)]
    #[case(2)]
    fn positive(n: u32) {
        assert!(n > 0);
    }
}

mod bare_test {
    use testrig::prelude::*;

    #[testrig::test]
    fn nothing_but_the_attribute() {}
}

mod absolute_attribute {
    use testrig::prelude::*;

    #[::testrig::test]
    #[env(TESTRIG_PRELUDE_USE = "absolute")]
    fn reads_its_env() {
        assert_eq!(std::env::var("TESTRIG_PRELUDE_USE").as_deref(), Ok("absolute"));
    }

    #[::testrig::test]
    #[case(1)]
    fn positive(n: u32) {
        assert!(n > 0);
    }
}
