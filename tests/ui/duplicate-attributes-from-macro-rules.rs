use testrig::prelude::*;

macro_rules! limited_twice {
    ($name:ident, $limit:tt) => {
        #[testrig::test]
        #[timeout($limit)]
        #[timeout($limit)]
        fn $name() {}
    };
}

limited_twice!(from_a_macro, 5);

macro_rules! flavored {
    ($name:ident, $flavor:tt) => {
        #[testrig::test(flavor = $flavor, flavor = $flavor)]
        async fn $name() {}
    };
}

flavored!(flavor_twice_from_a_macro, "multi_thread");

fn main() {}
