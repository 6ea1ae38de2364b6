//! `wait_for` / `wait_for_async`: poll until ready, fail with the last observation.

use std::panic::catch_unwind;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn returns_the_value_once_ready() {
    let polls = AtomicU32::new(0);
    let value = testrig::wait_for(
        || {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            (n >= 3).then_some(n)
        },
        Duration::from_secs(5),
    );
    assert_eq!(value, 3);
}

#[test]
fn times_out_naming_the_last_observation_and_the_caller() {
    let polls = AtomicU32::new(0);
    let failed = catch_unwind(|| {
        testrig::wait_for(
            || Err::<(), _>(format!("BUILD #{}", polls.fetch_add(1, Ordering::SeqCst))),
            Duration::from_millis(30),
        )
    });
    let text = message(failed.unwrap_err());
    let last = polls.load(Ordering::SeqCst) - 1;
    assert!(text.contains(&format!("last observed: \"BUILD #{last}\"")), "{text}");
    assert!(text.contains("tests/wait.rs"), "points at the caller: {text}");
    assert!(text.contains("not met within 30ms"), "{text}");
}

#[test]
fn bools_report_false() {
    let failed = catch_unwind(|| testrig::wait_for(|| false, Duration::from_millis(5)));
    assert!(message(failed.unwrap_err()).ends_with("last observed: false"));
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_probes_let_other_tasks_run() {
    let state = Arc::new(AtomicU32::new(0));
    let writer = state.clone();
    testrig::spawn(async move {
        for step in 1..=3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            writer.store(step, Ordering::SeqCst);
        }
    });
    let reached = testrig::wait_for_async(
        || {
            let state = state.clone();
            async move {
                match state.load(Ordering::SeqCst) {
                    3 => Ok("ACTIVE"),
                    other => Err(other),
                }
            }
        },
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(reached, "ACTIVE");
}

#[testrig::test]
async fn async_timeout_reports_the_last_observation() {
    let result = testrig::spawn(async {
        testrig::wait_for_async(|| async { None::<u8> }, Duration::from_millis(20)).await;
    })
    .await;
    let text = message(result.unwrap_err().into_panic());
    assert!(text.contains("last observed: None"), "{text}");
}
