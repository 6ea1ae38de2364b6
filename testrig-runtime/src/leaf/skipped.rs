//! A test that skipped (`testrig::skip!`, in `features::skip`) is an outcome, not a failure:
//! how the run tells one from its failures, passes it to a calling test and says so.

use crate::leaf::report::{Cause, Failure, Stage};
use crate::leaf::unwind::{Payload, Skipped};

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
