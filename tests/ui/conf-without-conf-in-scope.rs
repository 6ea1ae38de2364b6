mod settings {
    #[derive(Clone, Default)]
    pub struct Compute {
        pub rpc_response_timeout: u32,
    }

    #[derive(Clone, Default)]
    pub struct Settings {
        pub compute: Compute,
    }

    pub static CONF: testrig::Conf<Settings> = testrig::Conf::new();
}

// `CONF` is in `settings`, not imported here: rustc offers the import.
#[testrig::test]
#[conf(compute.rpc_response_timeout = 10)]
fn no_conf_static_here() {}

fn main() {}
