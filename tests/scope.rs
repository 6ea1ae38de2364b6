//! Each test's `Scope` reaches its runtime's workers, its spawned tasks and threads, and
//! nothing of another test running at the same time.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use testrig::prelude::*;
use testrig::Scope;

/// What a test stored in its scope; a second test must never see it.
struct Marker(&'static str);

fn marker() -> Option<&'static str> {
    Scope::current()?.get_extension::<Marker>().map(|marker| marker.0)
}

/// Records the scope its setup ran in.
pub struct SeenBySetup(Option<u64>);

#[fixture]
impl SeenBySetup {
    async fn setup() -> Self {
        SeenBySetup(Scope::current().map(|scope| scope.id()))
    }
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_tasks_blocking_threads_and_setup_share_the_scope(seen: &SeenBySetup) {
    let scope = Scope::current().expect("the test thread entered the scope");
    scope.extension(|| Marker("multi"));
    assert_eq!(seen.0, Some(scope.id()), "fixture setup ran inside the scope");

    let mut tasks = Vec::new();
    for _ in 0..8 {
        tasks.push(tokio::spawn(async {
            tokio::task::yield_now().await;
            (Scope::current().map(|s| s.id()), marker(), std::thread::current().id())
        }));
    }
    let mut threads = std::collections::HashSet::new();
    for task in tasks {
        let (id, seen_marker, thread) = task.await.unwrap();
        assert_eq!(id, Some(scope.id()));
        assert_eq!(seen_marker, Some("multi"));
        threads.insert(thread);
    }
    let blocking = tokio::task::spawn_blocking(marker).await.unwrap();
    assert_eq!(blocking, Some("multi"), "blocking-pool threads are in the scope too");
    let spawned = testrig::spawn(async { marker() }).await.unwrap();
    assert_eq!(spawned, Some("multi"));
    let thread = testrig::thread::spawn(marker).join().unwrap();
    assert_eq!(thread, Some("multi"));
    let escaped = std::thread::spawn(|| Scope::current().is_none()).join().unwrap();
    assert!(escaped, "a plain std thread is outside every scope");
}

#[testrig::test]
async fn current_thread_runtime_tasks_share_the_scope() {
    Scope::current().unwrap().extension(|| Marker("current"));
    let local = tokio::spawn(async { marker() }).await.unwrap();
    assert_eq!(local, Some("current"));
    let blocking = tokio::task::spawn_blocking(marker).await.unwrap();
    assert_eq!(blocking, Some("current"));
}

#[testrig::test]
fn sync_test_threads_share_the_scope() {
    Scope::current().unwrap().extension(|| Marker("sync"));
    assert_eq!(testrig::thread::spawn(marker).join().unwrap(), Some("sync"));
}

#[test]
fn plain_tests_have_no_scope() {
    assert!(Scope::current().is_none());
}

/// Two tests meet in the middle (when the harness runs them in parallel) and each checks it
/// still sees only its own marker from its workers.
static RENDEZVOUS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

fn meet() {
    let (count, arrived) = &RENDEZVOUS;
    let mut count = count.lock().unwrap();
    *count += 1;
    arrived.notify_all();
    // Bounded: with `--test-threads=1` the other test never comes, and that is fine.
    let _ = arrived.wait_timeout_while(count, Duration::from_secs(2), |count| *count < 2).unwrap();
}

macro_rules! parallel_isolation_test {
    ($name:ident, $marker:literal) => {
        #[testrig::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            Scope::current().unwrap().extension(|| Marker($marker));
            tokio::task::spawn_blocking(meet).await.unwrap();
            for _ in 0..20 {
                let seen = tokio::spawn(async { marker() }).await.unwrap();
                assert_eq!(seen, Some($marker));
                tokio::task::yield_now().await;
            }
        }
    };
}

parallel_isolation_test!(parallel_left, "left");
parallel_isolation_test!(parallel_right, "right");

macro_rules! many_isolated_tests {
    ($($name:ident),*) => {$(
        #[testrig::test]
        fn $name() {
            let scope = Scope::current().unwrap();
            let mine: &'static str = stringify!($name);
            scope.extension(|| Marker(mine));
            std::thread::sleep(Duration::from_micros((scope.id() % 7) * 300));
            assert_eq!(marker(), Some(mine));
            assert_eq!(scope.test_name(), concat!("scope::", stringify!($name)));
        }
    )*};
}

many_isolated_tests!(
    isolated_00,
    isolated_01,
    isolated_02,
    isolated_03,
    isolated_04,
    isolated_05,
    isolated_06,
    isolated_07,
    isolated_08,
    isolated_09,
    isolated_10,
    isolated_11,
    isolated_12,
    isolated_13,
    isolated_14,
    isolated_15,
    isolated_16,
    isolated_17,
    isolated_18,
    isolated_19,
    isolated_20,
    isolated_21,
    isolated_22,
    isolated_23
);
