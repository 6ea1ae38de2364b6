use testrig::prelude::*;

pub struct Region(String);

#[fixture]
impl Region {
    fn setup() -> Self {
        Region("regionOne".into())
    }
}

#[testrig::test]
fn in_region(#[values("regionOne", "regionTwo")] region: &Region) {
    assert!(!region.0.is_empty());
}

fn main() {}
