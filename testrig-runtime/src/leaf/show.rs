//! `TESTRIG_SHOW=1`: print each test's setup, body and teardown with timings, like
//! `pytest --setup-show`.

use std::io::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    Setup,
    Test,
    Teardown,
}

/// The timeline of one test; records nothing (and reads no clock) unless `TESTRIG_SHOW` is on.
pub(crate) struct Timeline {
    test_name: &'static str,
    lines: Option<Vec<Line>>,
}

struct Line {
    phase: Phase,
    name: &'static str,
    took: Duration,
    ok: bool,
    /// Where a shared instance came from ("set up here", "attached").
    origin: Option<std::borrow::Cow<'static, str>>,
}

/// Whether `TESTRIG_SHOW` is on.
pub(crate) fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("TESTRIG_SHOW").is_some_and(|v| !v.is_empty() && v != "0"))
}

impl Timeline {
    pub(crate) fn new(test_name: &'static str) -> Self {
        Timeline { test_name, lines: enabled().then(Vec::new) }
    }

    pub(crate) fn start(&self) -> Option<Instant> {
        self.lines.as_ref().map(|_| Instant::now())
    }

    pub(crate) fn record(&mut self, phase: Phase, name: &'static str, started: Option<Instant>, ok: bool) {
        self.record_from(phase, name, started, ok, None);
    }

    /// [`Timeline::record`] of a shared instance, saying where it came from.
    pub(crate) fn record_from(
        &mut self,
        phase: Phase,
        name: &'static str,
        started: Option<Instant>,
        ok: bool,
        origin: Option<std::borrow::Cow<'static, str>>,
    ) {
        if let (Some(lines), Some(started)) = (self.lines.as_mut(), started) {
            lines.push(Line { phase, name, took: started.elapsed(), ok, origin });
        }
    }

    /// Writes the timeline to stderr in one write, bypassing the harness's output capture so
    /// it shows for passing tests too, and without interleaving with parallel tests.
    pub(crate) fn print(&self) {
        let Some(lines) = &self.lines else { return };
        let mut out = format!("fixture plan for {}\n", self.test_name);
        let width = lines.iter().map(|line| line.name.len()).max().unwrap_or(0);
        for Line { phase, name, took, ok, origin } in lines {
            let phase = match phase {
                Phase::Setup => "SETUP   ",
                Phase::Test => "TEST    ",
                Phase::Teardown => "TEARDOWN",
            };
            let status = if *ok { "" } else { "  FAILED" };
            let origin = origin.as_ref().map(|origin| format!("  ({origin})")).unwrap_or_default();
            out.push_str(&format!("    {phase} {name:<width$}  {}{status}{origin}\n", format_duration(*took)));
        }
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }
}

fn format_duration(took: Duration) -> String {
    let micros = took.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:>8.1} µs")
    } else {
        format!("{:>8.2} ms", micros / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_duration(Duration::from_nanos(1500)), "     1.5 µs");
        assert_eq!(format_duration(Duration::from_micros(12_340)), "   12.34 ms");
    }
}
