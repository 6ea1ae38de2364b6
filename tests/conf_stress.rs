//! 520 tests override configuration fields with values of their own, sleep and yield, and
//! check from their body, their tasks and their threads that they see only their own values.
//! Run in parallel by `cargo test` and, a process per test, by `cargo nextest run`.

use std::time::Duration;

#[path = "support/seeded.rs"]
mod seeded;
use seeded::mix;

use testrig::Conf;

#[derive(Clone, Default)]
pub struct AppConfig {
    pub compute: Compute,
    pub scheduler: Scheduler,
    pub name: String,
}

#[derive(Clone, Default)]
pub struct Compute {
    pub rpc_response_timeout: u64,
}

#[derive(Clone, Default)]
pub struct Scheduler {
    pub max_attempts: u64,
    pub weight: u64,
}

pub static CONF: Conf<AppConfig> = Conf::new();

fn check(seed: u64) {
    let conf = CONF.get();
    assert_eq!(conf.compute.rpc_response_timeout, seed, "cross-talk on compute.rpc_response_timeout");
    assert_eq!(conf.name, format!("test-{seed}"), "cross-talk on name");
}

async fn exercise(seed: u64) {
    check(seed);
    let extra = mix(seed);
    // Only some tests add a runtime layer, on a field picked by the seed.
    let _guard = (extra % 3 == 0).then(|| CONF.override_with(move |c| c.scheduler.weight = extra));
    for round in 0..3 {
        tokio::time::sleep(Duration::from_micros(mix(seed + round) % 1500)).await;
        tokio::task::yield_now().await;
        check(seed);
        let from_task = tokio::spawn(async move {
            check(seed);
            CONF.get().scheduler.max_attempts
        });
        assert_eq!(from_task.await.unwrap(), seed % 11);
        if extra % 3 == 0 {
            assert_eq!(CONF.get().scheduler.weight, extra);
        } else {
            assert_eq!(CONF.get().scheduler.weight, 0);
        }
    }
    let from_thread = testrig::thread::spawn(move || {
        check(seed);
        CONF.get().scheduler.max_attempts
    });
    assert_eq!(from_thread.join().unwrap(), seed % 11);
}

macro_rules! case {
    ($name:ident, $seed:expr) => {
        mod $name {
            const SEED: u64 = $seed;
            #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
            #[conf(in = super::super::CONF, compute.rpc_response_timeout = SEED, name = format!("test-{SEED}"))]
            #[conf(in = super::super::CONF, scheduler.max_attempts = SEED % 11)]
            async fn sees_only_its_own_values() {
                super::super::exercise(SEED).await;
            }
        }
    };
}

macro_rules! group {
    ($group:ident, $base:expr) => {
        mod $group {
            case!(t00, $base);
            case!(t01, $base + 1);
            case!(t02, $base + 2);
            case!(t03, $base + 3);
            case!(t04, $base + 4);
            case!(t05, $base + 5);
            case!(t06, $base + 6);
            case!(t07, $base + 7);
            case!(t08, $base + 8);
            case!(t09, $base + 9);
            case!(t10, $base + 10);
            case!(t11, $base + 11);
            case!(t12, $base + 12);
            case!(t13, $base + 13);
            case!(t14, $base + 14);
            case!(t15, $base + 15);
            case!(t16, $base + 16);
            case!(t17, $base + 17);
            case!(t18, $base + 18);
            case!(t19, $base + 19);
            case!(t20, $base + 20);
            case!(t21, $base + 21);
            case!(t22, $base + 22);
            case!(t23, $base + 23);
            case!(t24, $base + 24);
            case!(t25, $base + 25);
        }
    };
}

group!(g00, 1000);
group!(g01, 1100);
group!(g02, 1200);
group!(g03, 1300);
group!(g04, 1400);
group!(g05, 1500);
group!(g06, 1600);
group!(g07, 1700);
group!(g08, 1800);
group!(g09, 1900);
group!(g10, 2000);
group!(g11, 2100);
group!(g12, 2200);
group!(g13, 2300);
group!(g14, 2400);
group!(g15, 2500);
group!(g16, 2600);
group!(g17, 2700);
group!(g18, 2800);
group!(g19, 2900);

#[test]
fn plain_test_reads_the_base_value_while_the_others_override() {
    for _ in 0..200 {
        let conf = CONF.get();
        assert_eq!((conf.compute.rpc_response_timeout, conf.name.as_str()), (0, ""));
        std::thread::sleep(Duration::from_micros(200));
    }
}
