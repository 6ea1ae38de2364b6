//! Routing `tracing` events to the test whose thread emitted them.
//!
//! One dispatcher serves the whole process: a `tracing-subscriber` registry (spans) with a
//! layer that appends each event to the capture of the scope current on the emitting thread.
//! It is the thread's default only while a capturing test's scope is entered there (the
//! test thread, its runtime's workers, `testrig::spawn` tasks and `testrig::thread::spawn`
//! threads), so a global subscriber the user installed keeps every other thread, and
//! parallel tests never see each other's events.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::{Dispatch, Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

use super::LogEvent;
use crate::scope::{Scope, ScopeHook};

/// One test's captured events.
pub(crate) struct Capture {
    events: Mutex<Vec<LogEvent>>,
    /// Events whose fields could not be formatted (a `Display` returning `Err`).
    format_errors: Mutex<Vec<String>>,
}

/// A capturing test's threads make the capture's dispatcher their default while they are in
/// its scope, and a failed test prints what it captured.
impl ScopeHook for Capture {
    fn enter(&self) -> Option<Box<dyn std::any::Any>> {
        Some(Box::new(tracing::dispatcher::set_default(dispatch())))
    }

    fn on_failure(&self, scope: &Scope) {
        // Printed into the harness's capture, which shows it for failed tests only.
        let transcript = self.transcript();
        if !transcript.is_empty() {
            print!("---- captured logs of {} ----\n{transcript}", scope.test_name());
        }
    }
}

impl Capture {
    /// The scope hook of the `Logs` fixture: a test whose plan has it captures from its
    /// first instant.
    pub(crate) fn hook() -> Arc<dyn ScopeHook> {
        Arc::new(Capture { events: Mutex::new(Vec::new()), format_errors: Mutex::new(Vec::new()) })
    }

    /// The capture of the test running on this thread, if it captures.
    pub(crate) fn current() -> Option<Arc<Capture>> {
        Scope::with_current(|scope| scope.and_then(Scope::hook::<Capture>))
    }

    pub(crate) fn events(&self) -> Vec<LogEvent> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn with_events<R>(&self, f: impl FnOnce(&[LogEvent]) -> R) -> R {
        f(&self.events.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn clear(&self) {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    pub(crate) fn format_errors(&self) -> Vec<String> {
        self.format_errors.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every event as a line, for a failed test's output.
    pub(crate) fn transcript(&self) -> String {
        self.with_events(|events| {
            let mut text = String::new();
            for event in events {
                let _ = writeln!(text, "{event}");
            }
            text
        })
    }
}

/// The dispatcher capturing tests make their threads' default.
pub(crate) fn dispatch() -> &'static Dispatch {
    static DISPATCH: LazyLock<Dispatch> = LazyLock::new(|| {
        let capture = Dispatch::new(Registry::default().with(Router));
        // tracing-core computes a callsite's interest once, when it is first hit. While one
        // dispatcher is registered in the process it asks only the hitting thread's default,
        // so a callsite first hit outside any capture (a plain `#[test]`, a thread of the
        // user's) would be cached as "never" and missed by every later capture
        // (tokio-rs/tracing#3611). With a second one alive for the whole process it asks
        // every registered dispatcher, ours included, which is interested in everything,
        // so each event is checked on the thread that emits it.
        LazyLock::force(&SECOND);
        capture
    });
    static SECOND: LazyLock<Dispatch> = LazyLock::new(|| Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    &DISPATCH
}

/// `TESTRIG_DEBUG=1` (or `debug`): every captured event is also written at once to stderr,
/// past the harness's capture; `trace` captures and streams TRACE events too.
struct Settings {
    stream: bool,
    max_level: Level,
}

fn settings() -> &'static Settings {
    static SETTINGS: LazyLock<Settings> = LazyLock::new(|| {
        let value = std::env::var("TESTRIG_DEBUG").unwrap_or_default().to_ascii_lowercase();
        Settings {
            stream: matches!(value.as_str(), "1" | "true" | "debug" | "trace"),
            max_level: if value == "trace" { Level::TRACE } else { Level::DEBUG },
        }
    });
    &SETTINGS
}

struct Router;

/// The formatted fields of a span, kept in its registry extensions.
struct SpanFields(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Router {
    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        // DEBUG is captured (and so formatted) even when nobody will read it: a broken
        // `Display` fails the test that logs it, as Nova's NullHandler makes it.
        *metadata.level() <= settings().max_level
    }

    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.inline()));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(capture) = Capture::current() else { return };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| match span.extensions().get::<SpanFields>() {
                        Some(SpanFields(text)) if !text.is_empty() => format!("{}{{{text}}}", span.name()),
                        _ => span.name().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let metadata = event.metadata();
        let captured = LogEvent {
            level: *metadata.level(),
            target: metadata.target().to_owned(),
            message: fields.message,
            fields: fields.fields,
            spans,
            location: metadata.file().map(|file| format!("{file}:{}", metadata.line().unwrap_or(0))),
            thread: std::thread::current().name().map(str::to_owned),
        };
        if fields.failed {
            let line = format!(
                "a {} event at {} could not be formatted (a Display or Debug implementation returned an error): {captured}",
                captured.level,
                captured.location.as_deref().unwrap_or("an unknown place"),
            );
            capture.format_errors.lock().unwrap_or_else(PoisonError::into_inner).push(line);
        }
        if settings().stream {
            let test = Scope::with_current(|scope| scope.map(Scope::test_name)).unwrap_or("?");
            let line = format!("[{test}] {captured}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        }
        capture.events.lock().unwrap_or_else(PoisonError::into_inner).push(captured);
    }
}

/// An event's or span's fields, formatted when recorded.
#[derive(Default)]
struct Fields {
    message: String,
    fields: Vec<(String, String)>,
    failed: bool,
}

impl Fields {
    fn store(&mut self, field: &Field, text: String) {
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.push((field.name().to_owned(), text));
        }
    }

    fn inline(&self) -> String {
        let mut text = self.message.clone();
        for (name, value) in &self.fields {
            if !text.is_empty() {
                text.push(' ');
            }
            let _ = write!(text, "{name}={value}");
        }
        text
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.store(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        if write!(text, "{value:?}").is_err() {
            self.failed = true;
        }
        self.store(field, text);
    }
}
