use testrig::prelude::*;

// `Logs` named twice, spelled in full: reported at its second name, whichever attribute that is.
#[testrig::test]
#[with(::testrig::logs::Logs)]
#[capture_logs]
fn with_full_path_first() {}

#[testrig::test]
#[capture_logs]
#[with(::testrig::logs::Logs)]
fn capture_logs_first() {}

fn main() {}
