//! What a test body may return.

use std::fmt::Debug;

/// The result of a test body: `Err` carries the `Debug` text of the error it returned.
#[doc(hidden)]
pub type Outcome = Result<(), String>;

/// Return types a `#[testrig::test]` body may have: `()` or `Result<(), E>` with `E: Debug`,
/// like the standard test harness.
#[diagnostic::on_unimplemented(
    message = "a fixture test must return `()` or `Result<(), E>` where `E: Debug`, not `{Self}`",
    label = "this return type is not supported by `#[testrig::test]`"
)]
pub trait TestOutcome {
    /// `Ok(())` for a passing body, `Err(text)` for one that returned an error.
    fn into_outcome(self) -> Outcome;
}

impl TestOutcome for () {
    fn into_outcome(self) -> Outcome {
        Ok(())
    }
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn into_outcome(self) -> Outcome {
        self.map_err(|error| format!("{error:?}"))
    }
}
