use testrig::prelude::*;

#[fixture]
#[once]
fn shared<T: Default>() -> T {
    T::default()
}

fn main() {}
