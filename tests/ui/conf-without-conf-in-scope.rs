#[testrig::test]
#[conf(compute.rpc_response_timeout = 10)]
fn no_conf_static_here() {}

fn main() {}
