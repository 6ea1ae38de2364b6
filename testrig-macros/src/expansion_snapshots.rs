//! The generated code of representative inputs, as snapshots (`cargo insta review` after
//! a deliberate change), each with its token count: the expansion is the compiler's
//! work per test.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::attr::OurAttribute;
use crate::entry;

fn count(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => 2 + count(&group.stream()),
            _ => 1,
        })
        .sum()
}

/// One line per statement or brace, so a snapshot diff shows what changed.
fn shown(tokens: &TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = format!("tokens: {}\n", count(tokens));
    for c in text.chars() {
        out.push(c);
        if matches!(c, ';' | '{' | '}') {
            out.push('\n');
        }
    }
    out
}

fn test(args: TokenStream, item: TokenStream) -> String {
    shown(&entry::test(OurAttribute::FixtureTest, args, item))
}

#[test]
fn a_sync_test_of_three_fixtures() {
    let out = test(
        quote!(),
        quote!(
            fn three(a: &A, b: &B, c: &C) {}
        ),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn an_async_test_with_conf_and_env() {
    let out = test(
        quote!(),
        quote! {
            #[conf(compute.timeout = 10)]
            #[env(REGION = "two")]
            async fn configured(cloud: &Cloud) {}
        },
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_parametrized_test() {
    let out = test(
        quote!(),
        quote! {
            #[case::small(1)]
            #[case(2)]
            fn sized(n: u32, #[values("a", "b")] tag: &'static str, db: &Db) {}
        },
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_test_taking_mut_and_by_value() {
    let out = test(
        quote!(),
        quote!(
            fn owns(counter: &mut Counter, conn: Connection) {}
        ),
    );
    insta::assert_snapshot!(out);
}

/// rstest's shape: two fixture functions' values by name.
#[test]
fn a_test_taking_fixture_functions_by_name() {
    let out = test(
        quote!(),
        quote!(
            fn t(cloud: Cloud, conf: Conf) {}
        ),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn an_impl_fixture_with_teardown() {
    let out = shown(&entry::fixture(
        quote!(),
        quote! {
            impl Cloud {
                async fn setup(db: &Db, #[options] names: &Names) -> anyhow::Result<Self> { todo!() }
                fn teardown(self) {}
            }
        },
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn a_function_fixture_of_a_foreign_type() {
    let out = shown(&entry::fixture(
        quote!(),
        quote!(
            pub fn scratch_dir(db: &Db) -> std::path::PathBuf {
                todo!()
            }
        ),
    ));
    insta::assert_snapshot!(out);
}

/// testrig's own fixture of another crate's type, with the capabilities it plugs in: every
/// path starts at `crate`, the functions sit beside the impl, nothing else is added.
#[test]
fn a_built_in_fixture_of_another_crates_type() {
    let out = shown(&entry::fixture(
        quote!(crate = crate, built_in = "testrig::db", scope_hook = Claimed::hook, claims = DATABASE),
        quote! {
            impl crate::Fixture for sqlx::SqlitePool {
                fn setup(database: &Database) -> sqlx::SqlitePool {
                    database.sqlite().clone()
                }
            }
        },
    ));
    insta::assert_snapshot!(out);
}

/// A built-in whose setup reads the test's stack (which pools it takes).
#[test]
fn a_built_in_fixture_reading_the_stack() {
    let out = shown(&entry::fixture(
        quote!(crate = crate, built_in = "testrig::db"),
        quote! {
            impl Database {
                async fn setup(stack: &dyn Dependencies, #[options] options: &DatabaseOptions) -> Result<Database, DbError> { todo!() }
                async fn teardown(self) -> Result<(), DbError> { todo!() }
            }
        },
    ));
    insta::assert_snapshot!(out);
}
