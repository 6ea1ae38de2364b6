use testrig::prelude::*;

#[derive(Default)]
pub struct Size(usize);

pub struct Pool(usize);

#[fixture]
impl Pool {
    fn setup(#[config] size: &Size) -> Self {
        Pool(size.0)
    }
}

// In a test too: the rename is said, not that a test takes no options.
#[testrig::test]
fn sized(#[config] _size: &Size) {}

fn main() {}
