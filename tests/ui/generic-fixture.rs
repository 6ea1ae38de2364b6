use testrig::prelude::*;

pub struct Pool<T>(T);

#[fixture]
impl<T: Default> Pool<T> {
    fn setup() -> Self {
        Pool(T::default())
    }
}

fn main() {}
