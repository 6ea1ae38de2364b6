use testrig::prelude::*;

#[capture_logs(level = "debug")]
fn logged() {}

fn main() {}
