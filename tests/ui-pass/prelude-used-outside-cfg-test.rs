//! Outside `cfg(test)` (an example, a binary) the prelude is used by a module of tests that
//! read only its attributes, as under `cargo test` (tests/prelude_use.rs).
#![deny(warnings)]

mod env_only {
    use testrig::prelude::*;

    #[testrig::test]
    #[env(TESTRIG_PRELUDE_USE = "set")]
    pub fn reads_its_env() {
        assert_eq!(std::env::var("TESTRIG_PRELUDE_USE").as_deref(), Ok("set"));
    }
}

mod absolute_attribute {
    use testrig::prelude::*;

    #[::testrig::test]
    #[env(TESTRIG_PRELUDE_USE = "absolute")]
    pub fn reads_its_env() {
        assert_eq!(std::env::var("TESTRIG_PRELUDE_USE").as_deref(), Ok("absolute"));
    }
}

mod bare_test {
    use testrig::prelude::*;

    #[testrig::test]
    pub fn nothing_but_the_attribute() {}
}

fn main() {
    env_only::reads_its_env();
    absolute_attribute::reads_its_env();
    bare_test::nothing_but_the_attribute();
}
