use testrig::prelude::*;

#[capture_logs]
#[capture_logs]
fn logged() {}

fn main() {}
