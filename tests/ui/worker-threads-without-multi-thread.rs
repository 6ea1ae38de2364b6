#[testrig::test(worker_threads = 4)]
async fn workers_on_current_thread() {}

fn main() {}
