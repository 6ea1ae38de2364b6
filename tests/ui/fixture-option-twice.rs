use testrig::prelude::*;

pub struct AutouseTwice;

#[fixture(autouse, autouse)]
impl AutouseTwice {
    fn setup() -> Self {
        AutouseTwice
    }
}

pub struct AutouseThenCrate;

#[fixture(autouse, autouse = crate)]
impl AutouseThenCrate {
    fn setup() -> Self {
        AutouseThenCrate
    }
}

pub struct ScopeTwice;

#[fixture(scope = once, scope = test)]
impl ScopeTwice {
    fn setup() -> Self {
        ScopeTwice
    }
}

pub struct ByValueTwice;

#[fixture(by_value, by_value)]
impl ByValueTwice {
    fn setup() -> Self {
        ByValueTwice
    }
}

pub struct CrateTwice;

#[fixture(crate = ::testrig, crate = ::testrig)]
impl CrateTwice {
    fn setup() -> Self {
        CrateTwice
    }
}

fn main() {}
