// No `CONF` anywhere, no `in = path`: rustc names the missing static at the attribute.
#[testrig::test]
#[conf(compute.rpc_response_timeout = 10)]
fn no_conf_static_anywhere() {}

fn main() {}
