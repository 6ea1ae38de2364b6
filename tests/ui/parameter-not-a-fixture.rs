pub struct Settings;

#[testrig::test]
fn uses_settings(settings: &Settings) {
    let _ = settings;
}

fn main() {}
