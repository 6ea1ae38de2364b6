//! `testrig::skip!`: a test (or a fixture's setup) that finds it cannot run here ends, passing,
//! with its fixtures torn down and the reason printed.
//!
//! libtest has no outcome for a test that skips itself at run time (`#[ignore]` is decided at
//! compile time), and nextest reports what libtest reports: a skipped test shows as passed,
//! with a `testrig: skipped` line on stderr. `TESTRIG_NO_SKIP=1` makes every skip a failure,
//! for the CI job that must not skip (the one with the database server).

use crate::report::{Cause, Failure, Stage};
use crate::unwind::{Payload, Skipped};

/// Ends the current test as skipped; see [`skip!`](crate::skip!).
#[doc(hidden)]
#[track_caller]
pub fn skip(reason: String) -> ! {
    if std::env::var_os("TESTRIG_NO_SKIP").is_some_and(|value| !value.is_empty() && value != "0") {
        panic!("skipped, and TESTRIG_NO_SKIP is set: {reason}");
    }
    let Some(scope) = crate::scope::Scope::current() else {
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

fn in_a_task() -> bool {
    #[cfg(feature = "async")]
    return tokio::task::try_id().is_some();
    #[cfg(not(feature = "async"))]
    false
}

/// Ends the calling test as skipped too: a fixture test called from another skipped.
pub(crate) fn skip_caller(reason: String) -> ! {
    let message = format!("skipped: {reason}");
    std::panic::resume_unwind(Box::new(Skipped { message, reason }))
}

/// Takes a skip out of what failed in setup or the body: its reason, if the test skipped.
pub(crate) fn take_skip(failures: &mut Vec<Failure>) -> Option<String> {
    let at = failures.iter().position(|failure| {
        matches!(failure.stage, Stage::Setup(_) | Stage::Body)
            && matches!(&failure.cause, Cause::Panic(payload) if payload.is::<Skipped>())
    })?;
    match failures.remove(at).cause {
        Cause::Panic(payload) => reason(payload),
        _ => None,
    }
}

fn reason(payload: Payload) -> Option<String> {
    payload.downcast::<Skipped>().ok().map(|skipped| skipped.reason)
}

/// Says the test skipped, on the process's stderr itself: libtest captures only `eprint!`,
/// and shows it only for failing tests.
pub(crate) fn report(test_name: &str, reason: &str) {
    use std::io::Write as _;
    let line = if reason.is_empty() {
        format!("testrig: skipped `{test_name}`\n")
    } else {
        format!("testrig: skipped `{test_name}`: {reason}\n")
    };
    let _ = std::io::stderr().write_all(line.as_bytes());
}
