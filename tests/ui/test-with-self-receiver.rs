pub struct Suite;

impl Suite {
    #[testrig::test]
    fn method_test(&self) {}
}

fn main() {}
