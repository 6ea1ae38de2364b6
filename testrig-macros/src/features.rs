//! The facade's features, as the macros see them: the facade switches on this crate's
//! features of the same names, so an attribute whose runtime support is compiled out is a
//! spanned error naming the feature instead of a path rustc cannot resolve.

/// A feature of the `testrig` facade that some attribute or `async fn` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Async,
    Logs,
    Db,
    Any,
    StartPaused,
    Run,
}

impl Feature {
    /// Its name in `Cargo.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Async => "async",
            Feature::Logs => "logs",
            Feature::Db => "sqlite",
            Feature::Any => "any",
            Feature::StartPaused => "start-paused",
            Feature::Run => "run",
        }
    }

    /// Whether the facade was built with it.
    pub fn enabled(self) -> bool {
        match self {
            Feature::Async => cfg!(feature = "async"),
            Feature::Logs => cfg!(feature = "logs"),
            Feature::Db => cfg!(feature = "db"),
            Feature::Any => cfg!(feature = "any"),
            Feature::StartPaused => cfg!(feature = "start-paused"),
            Feature::Run => cfg!(feature = "run"),
        }
    }
}
