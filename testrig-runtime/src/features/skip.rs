//! `testrig::skip!`: a test (or a fixture's setup) that finds it cannot run here ends, passing,
//! with its fixtures torn down and the reason printed.
//!
//! libtest has no outcome for a test that skips itself at run time (`#[ignore]` is decided at
//! compile time), and nextest reports what libtest reports: a skipped test shows as passed,
//! with a `testrig: skipped` line on stderr. `TESTRIG_NO_SKIP=1` makes every skip a failure,
//! for the CI job that must not skip (the one with the database server).

use crate::leaf::unwind::Skipped;

/// Ends the current test as skipped; see [`skip!`](crate::features::skip!).
#[doc(hidden)]
#[track_caller]
pub fn skip(reason: String) -> ! {
    if std::env::var_os("TESTRIG_NO_SKIP").is_some_and(|value| !value.is_empty() && value != "0") {
        panic!("skipped, and TESTRIG_NO_SKIP is set: {reason}");
    }
    let Some(scope) = crate::core::scope::Scope::current() else {
        panic!("`testrig::skip!` outside a fixture test (a `#[testrig::test]` and its fixtures): {reason}");
    };
    // Unwound in a task or thread the test started, the skip would end only that, unseen.
    if !scope.is_runner_thread() || in_a_task() {
        panic!(
            "`testrig::skip!` in a task or thread the test started: call it in the test's body or a fixture's \
             `setup` ({reason})"
        );
    }
    let message = format!("skipped: {reason} (`testrig::skip!` skips from a fixture's `setup` or the test's body)");
    std::panic::resume_unwind(Box::new(Skipped { message, reason }))
}

/// A task the test spawned runs on the test's thread too (a current-thread runtime), but is
/// polled by the runtime, outside the test's own code. (tokio's `task::try_id` would say
/// the same from tokio 1.41 on; apps locked to an older tokio keep it.)
fn in_a_task() -> bool {
    !crate::leaf::unwind::in_test_code()
}
