use testrig::prelude::*;

pub struct Typo;

#[fixture(autouze)]
impl Typo {
    fn setup() -> Self {
        Typo
    }
}

// What testrig's own fixtures plug in is not offered to users: an unknown option to them.
pub struct Hooked;

fn hook() {}

#[fixture(scope_hook = hook)]
impl Hooked {
    fn setup() -> Self {
        Hooked
    }
}

pub struct Claims;

#[fixture(claims = testrig::__private::DATABASE)]
impl Claims {
    fn setup() -> Self {
        Claims
    }
}

pub struct Prepared;

fn prepare(_options: &dyn std::any::Any) {}

#[fixture(prepare = prepare)]
impl Prepared {
    fn setup() -> Self {
        Prepared
    }
}

pub struct Elsewhere;

#[fixture(crate = "testrig")]
impl Elsewhere {
    fn setup() -> Self {
        Elsewhere
    }
}

fn main() {}
