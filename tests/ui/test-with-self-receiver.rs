pub struct Suite;

impl Suite {
    #[fixture::test]
    fn method_test(&self) {}
}

fn main() {}
