pub struct Settings;

#[fixture::test]
fn uses_settings(settings: &Settings) {
    let _ = settings;
}

fn main() {}
