#[testrig::test]
#[cases("sizes")]
fn not_a_path(n: u32) {
    let _ = n;
}

#[testrig::test]
#[cases(no_such_table)]
fn no_such_table_in_scope(n: u32) {
    let _ = n;
}

fn main() {}
