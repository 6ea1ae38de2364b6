#[testrig::test(worker_threads)]
async fn option_without_value() {}

fn main() {}
