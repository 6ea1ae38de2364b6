//! Per-test log capture: `#[capture_logs]` and the [`Logs`] fixture, and the
//! [`Notifications`] collector built on it.

mod capture;
mod filter;
mod fixture;
mod notifications;

use std::fmt;

pub(crate) use capture::Capture;
pub use fixture::Logs;
pub use notifications::Notifications;
pub use tracing::Level;

/// One captured `tracing` event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogEvent {
    /// The event's level.
    pub level: Level,
    /// Its target: the module path unless the macro named one.
    pub target: String,
    /// The formatted message (`tracing::info!("..")`'s text); empty when it had none.
    pub message: String,
    /// The other fields, formatted (`%` / `?` as written; strings without quotes).
    pub fields: Vec<(String, String)>,
    /// The spans the event was in, outermost first, each with its fields: `resize{id=7}`.
    pub spans: Vec<String>,
    /// `file:line` of the macro call.
    pub location: Option<String>,
    /// The name of the thread that emitted it.
    pub thread: Option<String>,
}

impl LogEvent {
    /// The formatted value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(field, _)| field == name).map(|(_, value)| value.as_str())
    }

    /// Whether `pattern` matches this event's line (see [`Logs::contains`]).
    pub fn matches(&self, pattern: &str) -> bool {
        glob_find(&self.to_string(), pattern)
    }
}

impl fmt::Display for LogEvent {
    /// `LEVEL target: span{a=1}:span: message key=value ..`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>5} {}: ", self.level, self.target)?;
        for span in &self.spans {
            write!(f, "{span}: ")?;
        }
        f.write_str(&self.message)?;
        for (name, value) in &self.fields {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

/// Whether `pattern` occurs in `text`; `*` in the pattern stands for any run of characters.
fn glob_find(text: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else { return true };
    let Some(mut at) = text.find(first).map(|i| i + first.len()) else { return false };
    for part in parts {
        match text[at..].find(part) {
            Some(i) => at += i + part.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_substrings_with_stars() {
        assert!(glob_find("resize of vm1 done in cell2", "vm1"));
        assert!(glob_find("resize of vm1 done in cell2", "resize*cell2"));
        assert!(glob_find("resize of vm1 done in cell2", "*"));
        assert!(!glob_find("resize of vm1 done in cell2", "cell2*resize"));
        assert!(!glob_find("abc", "abd"));
    }

    #[test]
    fn events_display_as_one_line() {
        let event = LogEvent {
            level: Level::WARN,
            target: "app::resize".into(),
            message: "rolled back".into(),
            fields: vec![("instance".into(), "vm1".into())],
            spans: vec!["resize{id=7}".into()],
            location: None,
            thread: None,
        };
        assert_eq!(event.to_string(), " WARN app::resize: resize{id=7}: rolled back instance=vm1");
        assert_eq!(event.field("instance"), Some("vm1"));
        assert!(event.matches("resize*vm1"));
    }
}
