//! 1,000 tests at once, each with its own configuration override, an environment variable,
//! log capture and, for half of them, cell databases; they sleep for random times, log and
//! write from their body, a spawned task and a thread, and check that they see only their
//! own values, events and rows. Ten lanes of 100 cases: a lane shares one environment
//! variable (so its cases take turns on it, as `#[env]` promises) and runs beside the others.
//! Run in parallel by `cargo test` and, a process per test, by `cargo nextest run`.

use std::time::Duration;

#[path = "support/seeded.rs"]
mod seeded;
use seeded::mix;

use testrig::db::{self, sqlx, Cells};
use testrig::logs::Logs;
use testrig::Conf;

testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");

#[derive(Clone, Default)]
pub struct Settings {
    pub seed: u64,
    pub name: String,
}

pub static CONF: Conf<Settings> = Conf::new();

fn check_conf(seed: u64) {
    let conf = CONF.get();
    assert_eq!((conf.seed, conf.name.as_str()), (seed, format!("test-{seed}").as_str()), "conf cross-talk");
}

/// What every case does; `cells` for the lanes that have databases.
async fn exercise(seed: u64, env: (&str, &str), logs: &Logs, cells: Option<&Cells>) {
    let (key, value) = env;
    for round in 0..3 {
        tokio::time::sleep(Duration::from_micros(mix(seed + round) % 2000)).await;
        check_conf(seed);
        assert_eq!(std::env::var(key).as_deref(), Ok(value), "env cross-talk on {key}");
        tracing::info!(seed, round, "from the body");
    }
    let task = testrig::spawn(async move {
        tokio::time::sleep(Duration::from_micros(mix(seed ^ 1) % 1000)).await;
        check_conf(seed);
        tracing::info!(seed, "from a task");
    });
    let thread = testrig::thread::spawn(move || {
        std::thread::sleep(Duration::from_micros(mix(seed ^ 2) % 1000));
        check_conf(seed);
        tracing::info!(seed, "from a thread");
    });
    task.await.unwrap();
    thread.join().unwrap();
    if let Some(cells) = cells {
        cells
            .target("cell1", async {
                sqlx::query("INSERT INTO instances (uuid, host) VALUES ($1, 'h')")
                    .bind(seed.to_string())
                    .execute(&db::cell().unwrap())
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_micros(mix(seed ^ 3) % 1000)).await;
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT uuid FROM instances").fetch_all(&db::cell().unwrap()).await.unwrap();
                assert_eq!(rows, [(seed.to_string(),)], "database cross-talk");
            })
            .await;
    }
    let events = logs.events();
    let seeds: Vec<&str> = events
        .iter()
        .flat_map(|event| event.fields.iter().filter(|(name, _)| name == "seed").map(|(_, value)| value.as_str()))
        .collect();
    assert_eq!(seeds, vec![seed.to_string(); 5], "log cross-talk: {events:?}");
}

macro_rules! lane {
    ($name:ident, $lane:literal, $key:ident, $value:literal, cells) => {
        #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
        #[conf(in = CONF, seed = $lane * 100 + tens * 10 + ones, name = format!("test-{}", $lane * 100 + tens * 10 + ones))]
        #[env($key = $value)]
        #[capture_logs]
        #[with_cells(in = SCHEMA, cell1)]
        async fn $name(
            #[values(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] tens: u64,
            #[values(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] ones: u64,
            logs: &Logs,
            cells: &Cells,
        ) {
            exercise($lane * 100 + tens * 10 + ones, (stringify!($key), $value), logs, Some(cells)).await;
        }
    };
    ($name:ident, $lane:literal, $key:ident, $value:literal) => {
        #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
        #[conf(in = CONF, seed = $lane * 100 + tens * 10 + ones, name = format!("test-{}", $lane * 100 + tens * 10 + ones))]
        #[env($key = $value)]
        #[capture_logs]
        async fn $name(
            #[values(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] tens: u64,
            #[values(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)] ones: u64,
            logs: &Logs,
        ) {
            exercise($lane * 100 + tens * 10 + ones, (stringify!($key), $value), logs, None).await;
        }
    };
}

lane!(lane_0, 0, TESTRIG_STRESS_0, "lane-0", cells);
lane!(lane_1, 1, TESTRIG_STRESS_1, "lane-1");
lane!(lane_2, 2, TESTRIG_STRESS_2, "lane-2", cells);
lane!(lane_3, 3, TESTRIG_STRESS_3, "lane-3");
lane!(lane_4, 4, TESTRIG_STRESS_4, "lane-4", cells);
lane!(lane_5, 5, TESTRIG_STRESS_5, "lane-5");
lane!(lane_6, 6, TESTRIG_STRESS_6, "lane-6", cells);
lane!(lane_7, 7, TESTRIG_STRESS_7, "lane-7");
lane!(lane_8, 8, TESTRIG_STRESS_8, "lane-8", cells);
lane!(lane_9, 9, TESTRIG_STRESS_9, "lane-9");

/// A plain test beside them reads the base configuration and no variable of theirs.
#[test]
fn a_plain_test_sees_none_of_it() {
    for _ in 0..200 {
        let conf = CONF.get();
        assert_eq!((conf.seed, conf.name.as_str()), (0, ""));
        std::thread::sleep(Duration::from_micros(200));
    }
}
