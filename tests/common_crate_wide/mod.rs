//! Shared test code the Rust way (`mod common;` in a test file): its crate-wide autouse
//! fixture applies to the tests of the including file, which live in a parent module.

use std::sync::Mutex;

use testrig::prelude::*;
use testrig::Scope;

/// The tests `Audited` was set up for.
pub static AUDITED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

pub struct Audited;

#[fixture(autouse = crate)]
impl Audited {
    fn setup() -> Self {
        AUDITED.lock().unwrap().push(Scope::current().expect("inside a fixture test").test_name());
        Audited
    }
}

pub fn audited(test: &str) -> usize {
    AUDITED.lock().unwrap().iter().filter(|name| name.ends_with(test)).count()
}
