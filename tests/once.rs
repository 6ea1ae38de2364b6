//! `#[fixture(scope = once)]`: set up once for all the tests of a process, shared, torn down
//! at exit; per-test fixtures may require it.
#![allow(unnameable_test_items)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use testrig::prelude::*;

static SETUPS: AtomicUsize = AtomicUsize::new(0);
static USES: AtomicUsize = AtomicUsize::new(0);

/// Expensive to make, read-only for the tests: a catalog loaded once.
pub struct Catalog {
    flavors: Vec<&'static str>,
}

#[fixture(scope = once)]
impl Catalog {
    async fn setup() -> Self {
        SETUPS.fetch_add(1, Ordering::SeqCst);
        // Slow enough that the first tests all ask for it at once.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Catalog { flavors: vec!["m1.small", "m1.large"] }
    }

    fn teardown(self) {
        // Observed by `torn_down_once_at_exit` from the parent process.
        if let Ok(path) = std::env::var("TESTRIG_ONCE_FILE") {
            let line = format!(
                "torn down; set up {} time(s), used by {} test(s)\n",
                SETUPS.load(Ordering::SeqCst),
                USES.load(Ordering::SeqCst)
            );
            std::fs::write(path, line).unwrap();
        }
    }
}

/// A per-test fixture built on the shared one.
pub struct Flavor(&'static str);

#[fixture]
impl Flavor {
    fn setup(catalog: &Catalog) -> Self {
        Flavor(catalog.flavors[0])
    }
}

macro_rules! once_tests {
    ($($name:ident,)*) => {$(
        #[testrig::test]
        async fn $name(catalog: &Catalog, flavor: &Flavor) {
            USES.fetch_add(1, Ordering::SeqCst);
            // Under nextest every test is its own process: then this one set it up itself.
            assert_eq!(SETUPS.load(Ordering::SeqCst), 1, "set up more than once in this process");
            assert_eq!(catalog.flavors.len(), 2);
            assert_eq!(flavor.0, "m1.small");
        }
    )*};
}

include!("support/once_cases.rs");

#[testrig::test]
fn sync_tests_share_it_too(catalog: &Catalog) {
    assert_eq!(catalog.flavors[1], "m1.large");
}

/// Runs the 100 `once_case_` tests in one child process (in parallel, as the harness does)
/// and reads what the teardown wrote when that process exited.
#[test]
fn torn_down_once_at_exit_after_every_test() {
    let file = std::env::temp_dir().join(format!("testrig-once-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["once_case_", "--test-threads=8"])
        .env("TESTRIG_ONCE_FILE", &file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let written = std::fs::read_to_string(&file).expect("the teardown ran at exit and wrote the file");
    let _ = std::fs::remove_file(&file);
    assert_eq!(written, "torn down; set up 1 time(s), used by 100 test(s)\n");
}

#[test]
fn the_registry_marks_once_fixtures() {
    let catalog = testrig::registry::list().into_iter().find(|f| f.name == "Catalog").unwrap();
    assert!(catalog.once);
    assert!(testrig::registry::text().contains("Catalog [once] -- once"));
}
