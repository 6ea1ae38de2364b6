//! Which events are kept for a test and which are streamed live, chosen the way `RUST_LOG`
//! chooses for env_logger and tracing-subscriber: `warn,my_app=debug,sqlx::query=off` —
//! comma-separated, each a level (the default) or `target=level`; the longest matching target
//! prefix wins.

use tracing::level_filters::LevelFilter;
use tracing::Level;

/// Parsed directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directives {
    default: LevelFilter,
    /// `(target prefix, level)`, longest prefix first.
    targets: Vec<(String, LevelFilter)>,
}

impl Directives {
    /// Every target at `level`.
    pub(crate) fn all(level: LevelFilter) -> Directives {
        Directives { default: level, targets: Vec::new() }
    }

    /// Parses `text`; a part that is not a directive is skipped, as env_logger skips it.
    pub(crate) fn parse(text: &str) -> Directives {
        let mut directives = Directives::all(LevelFilter::OFF);
        for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            match part.split_once('=') {
                Some((target, level)) => {
                    if let Some(level) = level_of(level) {
                        directives.targets.push((target.trim().to_owned(), level));
                    }
                }
                None => match level_of(part) {
                    Some(level) => directives.default = level,
                    // A bare target means all of its events, as in RUST_LOG.
                    None => directives.targets.push((part.to_owned(), LevelFilter::TRACE)),
                },
            }
        }
        directives.targets.sort_by_key(|(target, _)| std::cmp::Reverse(target.len()));
        directives
    }

    /// Whether an event of `target` at `level` passes.
    pub(crate) fn allows(&self, target: &str, level: &Level) -> bool {
        *level <= self.level_for(target)
    }

    fn level_for(&self, target: &str) -> LevelFilter {
        let matching = self.targets.iter().find(|(prefix, _)| {
            target == prefix || (target.starts_with(prefix.as_str()) && target[prefix.len()..].starts_with("::"))
        });
        matching.map_or(self.default, |(_, level)| *level)
    }

    /// The most verbose level any target passes.
    pub(crate) fn max(&self) -> LevelFilter {
        self.targets.iter().map(|(_, level)| *level).fold(self.default, std::cmp::max)
    }
}

fn level_of(text: &str) -> Option<LevelFilter> {
    match text.trim().to_ascii_lowercase().as_str() {
        "off" => Some(LevelFilter::OFF),
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        "trace" => Some(LevelFilter::TRACE),
        _ => None,
    }
}

/// What the process keeps and streams, read once from the environment.
pub(crate) struct Settings {
    /// Kept for the test (its `Logs`, printed if it fails): `RUST_LOG` when set, else DEBUG
    /// for every target — so a broken `Display` in a DEBUG event fails the test that logs it,
    /// as Nova's NullHandler makes it.
    pub(crate) keep: Directives,
    /// Written at once to stderr, past the harness's capture: `TESTRIG_DEBUG` — `1`, `true`
    /// or `debug` for DEBUG, `trace` for TRACE, or directives like `my_app=trace`.
    pub(crate) stream: Option<Directives>,
}

impl Settings {
    pub(crate) fn from_values(rust_log: Option<&str>, testrig_debug: Option<&str>) -> Settings {
        let keep = match rust_log.map(str::trim).filter(|value| !value.is_empty()) {
            Some(value) => Directives::parse(value),
            None => Directives::all(LevelFilter::DEBUG),
        };
        let stream = testrig_debug.map(str::trim).filter(|value| !value.is_empty()).and_then(|value| {
            match value.to_ascii_lowercase().as_str() {
                "0" | "false" | "off" => None,
                "1" | "true" | "debug" => Some(Directives::all(LevelFilter::DEBUG)),
                "trace" => Some(Directives::all(LevelFilter::TRACE)),
                _ => Some(Directives::parse(value)),
            }
        });
        Settings { keep, stream }
    }

    /// Whether an event is of interest at all: kept or streamed.
    pub(crate) fn wants(&self, target: &str, level: &Level) -> bool {
        self.keep.allows(target, level) || self.stream.as_ref().is_some_and(|stream| stream.allows(target, level))
    }

    /// The most verbose level anything wants.
    pub(crate) fn max(&self) -> LevelFilter {
        std::cmp::max(self.keep.max(), self.stream.as_ref().map_or(LevelFilter::OFF, Directives::max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_target_prefix_wins() {
        let d = Directives::parse("warn, my_app=debug, my_app::db=off, sqlx::query=trace");
        assert!(d.allows("other", &Level::WARN) && !d.allows("other", &Level::INFO));
        assert!(d.allows("my_app", &Level::DEBUG) && d.allows("my_app::http", &Level::DEBUG));
        assert!(!d.allows("my_app::db", &Level::ERROR) && !d.allows("my_app::db::pool", &Level::ERROR));
        assert!(!d.allows("my_application", &Level::DEBUG), "a prefix matches at `::` only");
        assert!(d.allows("sqlx::query", &Level::TRACE));
        assert_eq!(d.max(), LevelFilter::TRACE);
    }

    #[test]
    fn a_bare_target_means_everything_of_it_and_junk_is_skipped() {
        let d = Directives::parse("my_app,=,nonsense=loud");
        assert!(d.allows("my_app::x", &Level::TRACE));
        assert!(!d.allows("other", &Level::ERROR), "no default level: off");
    }

    #[test]
    fn defaults_keep_debug_and_stream_nothing() {
        let s = Settings::from_values(None, None);
        assert!(s.keep.allows("any", &Level::DEBUG) && !s.keep.allows("any", &Level::TRACE));
        assert!(s.stream.is_none());
        let s = Settings::from_values(Some("info"), Some("trace"));
        assert!(!s.keep.allows("any", &Level::DEBUG));
        assert!(s.wants("any", &Level::TRACE));
        assert_eq!(Settings::from_values(None, Some("1")).stream, Some(Directives::all(LevelFilter::DEBUG)));
        assert_eq!(Settings::from_values(None, Some("my_app=trace")).stream, Some(Directives::parse("my_app=trace")));
        assert!(Settings::from_values(None, Some("0")).stream.is_none());
    }
}
