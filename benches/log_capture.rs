//! Cost of capturing 10,000 `tracing` events (a message and two fields each, at DEBUG) in one
//! test: `#[capture_logs]` against `tracing-test`'s `#[traced_test]`, and the same events with
//! no subscriber at all as the floor. Each iteration is a whole test: set up, 10,000 events,
//! one `contains` check, torn down. A second row: the same 10,000 as `log` records (how sqlx
//! and most libraries log), which testrig's `log` bridge captures; tracing-test has no
//! counterpart for them, so that row is ours against the floor.
//!
//! `cargo bench -p testrig-benches --bench log_capture`

use criterion::{criterion_group, criterion_main, Criterion};
use testrig::logs::Logs;

const EVENTS: u64 = 10_000;

fn emit() {
    for n in 0..EVENTS {
        tracing::debug!(instance = "vm1", step = n, "resize step {n} done");
    }
}

fn emit_log_records() {
    for n in 0..EVENTS {
        log::debug!(instance = "vm1", step = n; "resize step {n} done");
    }
}

// What `#[testrig::test] #[capture_logs] fn with_capture_logs(logs: &Logs)` expands to: bench
// targets are built with `--cfg test` but without the harness, where a `#[test]` function is
// compiled out (see stack_overhead.rs).
fn with_capture_logs() {
    capture(|stack| {
        emit();
        assert!(stack.get::<Logs>().contains("resize step 9999 done"));
        Ok(())
    })
}

fn with_capture_logs_of_log_records() {
    capture(|stack| {
        emit_log_records();
        assert!(stack.get::<Logs>().contains("resize step 9999 done"));
        Ok(())
    })
}

/// Runs `body` as a `#[capture_logs]` test.
fn capture(body: fn(&testrig::__private::FixtureStack) -> testrig::__private::Outcome) {
    use testrig::__private as rt;
    use testrig::Fixture;
    const ROOTS: &[rt::FixtureRef] = &[<Logs as Fixture>::META];
    static PLAN: [rt::FixtureRef; rt::plan_len(ROOTS)] = rt::plan(ROOTS);
    rt::run(rt::Test { name: "with_capture_logs", plan: &PLAN, body: rt::Body::Sync(body), ..rt::Test::DEFAULT })
}

#[tracing_test::traced_test]
fn with_tracing_test() {
    emit();
    assert!(logs_contain("resize step 9999 done"));
}

fn log_capture(c: &mut Criterion) {
    let mut group = c.benchmark_group("10,000 DEBUG events in one test");
    group.sample_size(20);
    // First: tracing-test installs a global subscriber, which would then see these too.
    group.bench_function("no subscriber (floor)", |b| b.iter(emit));
    group.bench_function("#[capture_logs]", |b| b.iter(with_capture_logs));
    group.bench_function("#[capture_logs], log records", |b| b.iter(with_capture_logs_of_log_records));
    group.bench_function("tracing-test #[traced_test]", |b| b.iter(with_tracing_test));
    group.finish();
}

criterion_group!(benches, log_capture);
criterion_main!(benches);
