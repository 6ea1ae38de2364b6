#[testrig::test(start_paused = true)]
fn a_sync_test() {}

#[testrig::test(flavor = "multi_thread", start_paused = true)]
async fn on_many_threads() {}

#[testrig::test(start_paused = "yes")]
async fn not_a_bool() {}

#[testrig::test(start_paused = true, start_paused = false)]
async fn twice() {}

fn main() {}
