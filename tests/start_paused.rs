//! `#[testrig::test(start_paused = true)]`: the test's tokio clock starts paused and jumps to
//! the next timer whenever the runtime has nothing else to do (tokio's `test-util`).

use std::time::Duration;

use testrig::prelude::*;

pub struct Started(tokio::time::Instant);

#[fixture]
impl Started {
    async fn setup() -> Self {
        Started(tokio::time::Instant::now())
    }
}

#[testrig::test(start_paused = true)]
async fn an_hour_of_sleep_passes_at_once(started: &Started) {
    let wall = std::time::Instant::now();
    // Unpaused, this test would sleep for an hour: the harness would never see it end.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(started.0.elapsed() >= Duration::from_secs(3600), "the fixture saw the same paused clock");
    assert!(wall.elapsed() < Duration::from_secs(600), "the wall clock did not wait the hour");
}

/// Waiting on something that is no timer (a thread): the paused clock would jump to the next
/// timer at once, so a `#[timeout]` measured on it would fire now. It is the wall clock's.
#[testrig::test(start_paused = true)]
#[timeout(30)]
async fn a_timeout_is_wall_clock_time_in_a_paused_test() {
    let (sent, received) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        let _ = sent.send(7);
    });
    assert_eq!(received.await, Ok(7));
}

/// And it still fails a hung one, naming the stage.
#[testrig::test(start_paused = true)]
#[timeout(1)]
#[should_panic(expected = "timed out")]
async fn a_hung_paused_test_times_out() {
    std::future::pending::<()>().await;
}

#[testrig::test]
async fn without_it_the_clock_runs() {
    let before = tokio::time::Instant::now();
    std::thread::sleep(Duration::from_millis(5));
    assert!(tokio::time::Instant::now() > before);
}

/// Setup keeps real time: a fixture waiting on a thread with a tokio timeout (as a pool's
/// acquire timeout does) is not timed out by a clock that jumps.
pub struct SlowToStart(u32);

#[fixture]
impl SlowToStart {
    async fn setup() -> Result<Self, String> {
        let (sent, received) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let _ = sent.send(5);
        });
        match tokio::time::timeout(Duration::from_secs(30), received).await {
            Ok(Ok(value)) => Ok(SlowToStart(value)),
            _ => Err("the setup's own timeout fired: the clock was paused during setup".into()),
        }
    }
}

#[testrig::test(start_paused = true)]
async fn fixtures_set_up_in_real_time(slow: &SlowToStart) {
    // And the body's clock is paused.
    let before = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(before.elapsed() >= Duration::from_secs(600));
    assert_eq!(slow.0, 5);
}
