#[testrig::test(flavor = "x", flavor = "y")]
async fn bad_flavor_twice() {}

#[testrig::test(flavor = "multi_thread", worker_threads = 2, worker_threads = 3)]
async fn workers_twice() {}

#[testrig::test(start_paused = true, start_paused = false)]
async fn paused_twice() {}

#[testrig::test(allow_leaks, no_autouse, no_autouse)]
async fn no_autouse_twice() {}

// `#[case]` first: the options of the `#[testrig::test]` below it are read there.
#[testrig::case(1)]
#[testrig::test(flavor = "multi_thread", flavor = "multi_thread")]
async fn case_first_flavor_twice(n: u32) {
    let _ = n;
}

fn main() {}
