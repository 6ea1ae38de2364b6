//! `#[fixture(autouse)]` applies to the fixture tests of its module and submodules, unless a
//! test says `no_autouse`; the registry lists every fixture of the binary.

use std::sync::Mutex;

use testrig::prelude::*;
use testrig::Scope;

/// The tests each autouse fixture was set up for.
static SET_UP_FOR: Mutex<Vec<(&str, &str)>> = Mutex::new(Vec::new());

fn record(fixture: &'static str) {
    let test = Scope::current().expect("inside a fixture test").test_name();
    SET_UP_FOR.lock().unwrap().push((fixture, test));
}

fn set_up_for(fixture: &str, test: &str) -> usize {
    SET_UP_FOR.lock().unwrap().iter().filter(|(f, t)| *f == fixture && t.ends_with(test)).count()
}

pub mod services {
    use super::*;
    use testrig::logs::Logs;

    /// Applies to every fixture test in `services` and below; needs `Logs`, so those tests
    /// capture their logs without naming `Logs`.
    pub struct Quiet;

    #[fixture(autouse)]
    impl Quiet {
        fn setup(_logs: &Logs) -> Self {
            record("Quiet");
            tracing::info!("quiet set up");
            Quiet
        }
    }

    #[testrig::test]
    fn autouse_applies_to_tests_of_its_module() {
        assert_eq!(set_up_for("Quiet", "services::autouse_applies_to_tests_of_its_module"), 1);
    }

    #[testrig::test]
    fn autouse_fixtures_requirements_come_with_them(logs: &Logs) {
        assert!(logs.contains("quiet set up"), "Logs is set up before Quiet and captures its setup");
    }

    pub mod nested {
        use super::super::*;

        #[testrig::test]
        fn autouse_applies_to_submodules() {
            assert_eq!(set_up_for("Quiet", "services::nested::autouse_applies_to_submodules"), 1);
        }

        #[testrig::test(no_autouse)]
        fn no_autouse_opts_out() {
            assert_eq!(set_up_for("Quiet", "no_autouse_opts_out"), 0);
        }
    }
}

#[testrig::test]
fn autouse_does_not_reach_other_modules() {
    assert_eq!(set_up_for("Quiet", "autouse::autouse_does_not_reach_other_modules"), 0);
}

pub struct Plain;

#[fixture]
impl Plain {
    fn setup(_quiet: &services::Quiet) -> Self {
        Plain
    }
}

#[test]
fn the_registry_lists_the_binarys_fixtures() {
    let fixtures = testrig::registry::list();
    let quiet = fixtures.iter().find(|f| f.name == "Quiet").expect("Quiet is listed");
    assert!(quiet.autouse);
    assert_eq!(quiet.module, "autouse::services");
    assert_eq!(quiet.requires, ["Logs"]);
    assert!(quiet.location.starts_with("tests/autouse.rs:"), "{}", quiet.location);
    let plain = fixtures.iter().find(|f| f.name == "Plain").expect("Plain is listed");
    assert_eq!((plain.requires.as_slice(), plain.autouse), (&["Quiet"][..], false));
    for built_in in ["Logs", "Notifications", "Services", "Cells"] {
        assert!(fixtures.iter().any(|f| f.name == built_in), "{built_in} is not listed");
    }
    let text = testrig::registry::text();
    assert!(text.contains("Quiet [autouse] -- autouse::services (tests/autouse.rs:"), "{text}");
    assert!(text.contains("Plain -- autouse (tests/autouse.rs:") && text.contains("    requires: Quiet"), "{text}");
    let dot = testrig::registry::dot();
    assert!(dot.contains("\"Plain\" -> \"Quiet\";") && dot.contains("\"Quiet\" -> \"Logs\";"), "{dot}");
}
