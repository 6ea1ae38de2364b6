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

use super::filter::Settings;
use super::LogEvent;
use crate::core::scope::{Scope, ScopeHook};

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
        install_log_bridge();
        Arc::new(Capture { events: Mutex::new(Vec::new()), format_errors: Mutex::new(Vec::new()) })
    }

    /// Keeps `event` and streams it, each as the settings choose for its target and level.
    fn push(&self, event: LogEvent) {
        let settings = settings();
        if settings.stream.as_ref().is_some_and(|stream| stream.allows(&event.target, &event.level)) {
            let test = Scope::with_current(|scope| scope.map(Scope::test_name)).unwrap_or("?");
            let line = format!("[{test}] {event}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        }
        if settings.keep.allows(&event.target, &event.level) {
            self.events.lock().unwrap_or_else(PoisonError::into_inner).push(event);
        }
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

/// What is kept (`RUST_LOG`, else DEBUG) and streamed (`TESTRIG_DEBUG`): see [`Settings`].
fn settings() -> &'static Settings {
    static SETTINGS: LazyLock<Settings> = LazyLock::new(|| {
        let read = |name: &str| std::env::var(name).ok();
        Settings::from_values(read("RUST_LOG").as_deref(), read("TESTRIG_DEBUG").as_deref())
    });
    &SETTINGS
}

struct Router;

/// The formatted fields of a span, kept in its registry extensions.
struct SpanFields(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Router {
    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        // By default DEBUG is captured (and so formatted) even when nobody will read it: a
        // broken `Display` fails the test that logs it, as Nova's NullHandler makes it.
        settings().wants(metadata.target(), metadata.level())
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
        capture.push(captured);
    }
}

/// Forwards `log` records (sqlx's and most libraries') into the capture of the test whose
/// thread emitted them; installed as the process's `log` logger when the first capture
/// starts, unless the program already installed one.
struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        settings().wants(metadata.target(), &level_of(metadata.level())) && Capture::current().is_some()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !settings().wants(record.target(), &level_of(record.level())) {
            return;
        }
        let Some(capture) = Capture::current() else { return };
        let mut fields = KeyValues(Vec::new());
        let _ = record.key_values().visit(&mut fields);
        capture.push(LogEvent {
            level: level_of(record.level()),
            target: record.target().to_owned(),
            message: record.args().to_string(),
            fields: fields.0,
            spans: Vec::new(),
            location: record.file().map(|file| format!("{file}:{}", record.line().unwrap_or(0))),
            thread: std::thread::current().name().map(str::to_owned),
        });
    }

    fn flush(&self) {}
}

fn level_of(level: log::Level) -> Level {
    match level {
        log::Level::Error => Level::ERROR,
        log::Level::Warn => Level::WARN,
        log::Level::Info => Level::INFO,
        log::Level::Debug => Level::DEBUG,
        log::Level::Trace => Level::TRACE,
    }
}

struct KeyValues(Vec<(String, String)>);

impl<'kvs> log::kv::VisitSource<'kvs> for KeyValues {
    fn visit_pair(&mut self, key: log::kv::Key<'kvs>, value: log::kv::Value<'kvs>) -> Result<(), log::kv::Error> {
        self.0.push((key.to_string(), value.to_string()));
        Ok(())
    }
}

/// Installs [`LogBridge`] once per process. When the program set its own `log` logger first,
/// that logger keeps every record and captures hold only `tracing` events: said once on
/// stderr, since a test asserting on a `log` record would otherwise fail with no hint.
fn install_log_bridge() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        static BRIDGE: LogBridge = LogBridge;
        match log::set_logger(&BRIDGE) {
            Ok(()) => log::set_max_level(match settings().max().into_level() {
                None => log::LevelFilter::Off,
                Some(Level::ERROR) => log::LevelFilter::Error,
                Some(Level::WARN) => log::LevelFilter::Warn,
                Some(Level::INFO) => log::LevelFilter::Info,
                Some(Level::DEBUG) => log::LevelFilter::Debug,
                Some(_) => log::LevelFilter::Trace,
            }),
            Err(_) => {
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    b"testrig: a `log` logger is already set, so `log` records go to it and are not captured (`tracing` events still are)\n",
                );
            }
        }
    });
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
