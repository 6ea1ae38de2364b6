#[testrig::test]
#[with = "Db"]
fn with_written_as_name_value() {}

fn main() {}
