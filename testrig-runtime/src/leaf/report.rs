//! Collecting everything that went wrong in one test into one report.

use std::fmt::{self, Display, Write as _};

use crate::leaf::unwind::{panic_message, Payload};

/// The error type fixture setups and teardowns report.
///
/// Anything that converts into it works as a setup or teardown error: `std::io::Error`,
/// `anyhow::Error`, `String`, `&str`, any `std::error::Error + Send + Sync`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Setup(&'static str),
    Body,
    Teardown(&'static str),
    /// After the teardowns: what the test started still runs.
    LeakCheck,
}

/// Why it failed.
pub(crate) enum Cause {
    Error(BoxError),
    Panic(Payload),
    /// The body returned `Err`; holds its `Debug` text.
    Returned(String),
    /// `#[timeout(..)]` elapsed while this stage ran.
    TimedOut(std::time::Duration),
}

pub(crate) struct Failure {
    pub(crate) stage: Stage,
    pub(crate) cause: Cause,
}

impl Failure {
    pub(crate) fn new(stage: Stage, cause: Cause) -> Self {
        Failure { stage, cause }
    }
}

impl Cause {
    /// What the stage did: "panicked", "failed", "timed out".
    pub(crate) fn verb(&self) -> &'static str {
        match self {
            Cause::Panic(_) => "panicked",
            Cause::Error(_) | Cause::Returned(_) => "failed",
            Cause::TimedOut(_) => "timed out",
        }
    }
}

impl Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = self.cause.verb();
        match self.stage {
            Stage::Setup(name) => write!(f, "setup of fixture `{name}` {verb}: ")?,
            Stage::Body => write!(f, "test body {verb}: ")?,
            Stage::Teardown(name) => write!(f, "teardown of fixture `{name}` {verb}: ")?,
            Stage::LeakCheck => f.write_str("leak guard: ")?,
        }
        self.cause.fmt(f)
    }
}

/// The cause alone, without its verb (see [`Cause::verb`]).
impl Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Panic(payload) => f.write_str(panic_message(payload)),
            Cause::Returned(debug) => write!(f, "Error: {debug}"),
            Cause::TimedOut(limit) => write!(f, "still running after the test's timeout of {limit:?}"),
            Cause::Error(error) => {
                write!(f, "{error}")?;
                let mut source = error.source();
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
        }
    }
}

/// `parts` written with `separator` between them: `[..].join(..)` without its generic code in
/// every test binary.
pub(crate) struct Joined<'a, T>(pub &'a [T], pub &'a str);

impl<T: Display> Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, part) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(self.1)?;
            }
            part.fmt(f)?;
        }
        Ok(())
    }
}

/// Turns the failures of one test into its outcome for the harness.
///
/// A body panic with nothing else wrong is resumed as is, so `#[should_panic(expected = ..)]`
/// sees the original payload. Anything else becomes one panic whose message lists every
/// failure in the order it happened, and so names each fixture involved.
#[track_caller]
pub(crate) fn finish(test_name: &str, mut failures: Vec<Failure>) {
    match failures.len() {
        0 => return,
        1 if matches!(failures[0].cause, Cause::Panic(_)) && failures[0].stage == Stage::Body => {
            let Some(Failure { cause: Cause::Panic(payload), .. }) = failures.pop() else { unreachable!() };
            std::panic::resume_unwind(payload)
        }
        _ => {}
    }
    let mut message = String::new();
    // The body's own panic message comes first so `should_panic(expected)` still matches it.
    if let Some(body) = failures.iter().find(|failure| failure.stage == Stage::Body) {
        if let Cause::Panic(payload) = &body.cause {
            let _ = writeln!(message, "{}", panic_message(payload));
        }
    }
    let _ = write!(message, "fixture test `{test_name}` failed:");
    for failure in &failures {
        let _ = write!(message, "\n  - {failure}");
    }
    panic!("{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_of(failures: Vec<Failure>) -> String {
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish("t", failures))).unwrap_err();
        panic_message(&payload).to_owned()
    }

    #[test]
    fn nothing_failed_returns() {
        finish("t", Vec::new());
    }

    #[test]
    fn every_failure_is_named_in_order() {
        let io = std::io::Error::other("disk full");
        let message = message_of(vec![
            Failure::new(Stage::Setup("Cells"), Cause::Error(Box::new(io))),
            Failure::new(Stage::Teardown("Logs"), Cause::Panic(Box::new("boom"))),
            Failure::new(Stage::Teardown("Conf"), Cause::Error("restore failed".into())),
        ]);
        assert_eq!(
            message,
            "fixture test `t` failed:\n  - setup of fixture `Cells` failed: disk full\n  - teardown of fixture `Logs` panicked: boom\n  - teardown of fixture `Conf` failed: restore failed"
        );
    }

    #[test]
    fn lone_body_panic_is_resumed_with_its_payload() {
        let payload =
            std::panic::catch_unwind(|| finish("t", vec![Failure::new(Stage::Body, Cause::Panic(Box::new(42u8)))]))
                .unwrap_err();
        assert_eq!(payload.downcast_ref::<u8>(), Some(&42));
    }

    #[test]
    fn body_panic_message_leads_when_teardown_also_failed() {
        let message = message_of(vec![
            Failure::new(Stage::Body, Cause::Panic(Box::new("expected text"))),
            Failure::new(Stage::Teardown("A"), Cause::Error("bad".into())),
        ]);
        assert!(message.starts_with("expected text\nfixture test `t` failed:"), "{message}");
        assert!(message.contains("teardown of fixture `A` failed: bad"));
    }

    #[test]
    fn error_sources_are_chained() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("cannot migrate")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let failure =
            Failure::new(Stage::Setup("Db"), Cause::Error(Box::new(Outer(std::io::Error::other("no such table")))));
        assert_eq!(failure.to_string(), "setup of fixture `Db` failed: cannot migrate: no such table");
    }
}
