//! Per-test overhead of a 5-fixture stack against the same setup and teardown written by hand.
//!
//! `cargo bench -p testrig-benches --bench stack_overhead`. Both sides build the same five values in the same
//! order and drop them in reverse; the fixture side adds the scope, the type-erased stack,
//! panic guards around every step and the report.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use testrig::prelude::*;

pub struct F1(u64);
pub struct F2(u64);
pub struct F3(u64);
pub struct F4(u64);
pub struct F5(u64);

#[fixture]
impl F1 {
    fn setup() -> Self {
        F1(black_box(1))
    }
    fn teardown(self) {
        black_box(self.0);
    }
}

#[fixture]
impl F2 {
    fn setup(f1: &F1) -> Self {
        F2(black_box(f1.0 + 1))
    }
    fn teardown(self) {
        black_box(self.0);
    }
}

#[fixture]
impl F3 {
    fn setup(f2: &F2) -> Self {
        F3(black_box(f2.0 + 1))
    }
    fn teardown(self) {
        black_box(self.0);
    }
}

#[fixture]
impl F4 {
    fn setup(f3: &F3) -> Self {
        F4(black_box(f3.0 + 1))
    }
    fn teardown(self) {
        black_box(self.0);
    }
}

#[fixture]
impl F5 {
    fn setup(f4: &F4) -> Self {
        F5(black_box(f4.0 + 1))
    }
    fn teardown(self) {
        black_box(self.0);
    }
}

// What `#[testrig::test] fn with_fixtures(f5: &F5)` expands to. Bench targets are built
// with `--cfg test` but without the test harness, where a `#[test]` function is compiled out,
// so the bench spells the expansion out.
fn with_fixtures() {
    use testrig::__private as rt;
    const ROOTS: &[rt::FixtureRef] = &[<F5 as Fixture>::META];
    static PLAN: [rt::FixtureRef; rt::plan_len(ROOTS)] = rt::plan(ROOTS);
    fn body(stack: &rt::FixtureStack) -> rt::Outcome {
        black_box(stack.get::<F5>().0);
        Ok(())
    }
    rt::run(rt::Test { name: "with_fixtures", plan: &PLAN, body: rt::Body::Sync(body), ..rt::Test::DEFAULT })
}

fn with_no_fixtures() {
    use testrig::__private as rt;
    static PLAN: [rt::FixtureRef; 0] = [];
    fn body(_: &rt::FixtureStack) -> rt::Outcome {
        black_box(0);
        Ok(())
    }
    rt::run(rt::Test { name: "with_no_fixtures", plan: &PLAN, body: rt::Body::Sync(body), ..rt::Test::DEFAULT })
}

#[inline(never)]
fn hand_written() {
    let f1 = F1(black_box(1));
    let f2 = F2(black_box(f1.0 + 1));
    let f3 = F3(black_box(f2.0 + 1));
    let f4 = F4(black_box(f3.0 + 1));
    let f5 = F5(black_box(f4.0 + 1));
    black_box(f5.0);
    black_box(f5.0);
    black_box(f4.0);
    black_box(f3.0);
    black_box(f2.0);
    black_box(f1.0);
}

fn stack_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("per-test overhead");
    group.bench_function("hand-written setup/teardown of 5 values", |b| b.iter(hand_written));
    group.bench_function("#[testrig::test] with no fixtures", |b| b.iter(with_no_fixtures));
    group.bench_function("#[testrig::test] with a 5-fixture stack", |b| b.iter(with_fixtures));
    group.finish();
}

criterion_group!(benches, stack_overhead);
criterion_main!(benches);
