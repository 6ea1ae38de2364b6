//! Cost of `CONF.get()`: outside tests, inside a test that overrides nothing while other
//! tests override, and inside a test with an active override.
//!
//! `cargo bench -p testrig-benches --bench conf_get`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use testrig::{Conf, Scope};

#[derive(Clone, Default)]
pub struct AppConfig {
    pub rpc_response_timeout: u64,
    pub name: String,
    pub hosts: Vec<String>,
}

static CONF: Conf<AppConfig> = Conf::new();

fn conf_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("CONF.get()");
    group.bench_function("no test overrides it (base value)", |b| b.iter(|| black_box(CONF.get())));

    // Another test holds an override, so every read looks at the current scope.
    let other: Arc<Scope> = Scope::new("other_test");
    let entered = other.enter();
    let other_guard = CONF.override_with(|c| c.rpc_response_timeout = 99);
    drop(entered);
    let quiet = Scope::new("quiet_test");
    let entered = quiet.enter();
    group.bench_function("another test overrides it, this one not", |b| b.iter(|| black_box(CONF.get())));
    drop(entered);
    drop(other_guard);

    let busy = Scope::new("busy_test");
    let _entered = busy.enter();
    let _guard = CONF.override_with(|c| c.rpc_response_timeout = 10);
    let _second = CONF.override_with(|c| c.name = "cloud".into());
    group.bench_function("this test has two active overrides", |b| b.iter(|| black_box(CONF.get())));
    group.finish();
}

criterion_group!(benches, conf_get);
criterion_main!(benches);
