//! Attribute macros of the [`testrig`](https://docs.rs/testrig) crate. Depend on `testrig`,
//! which re-exports them; generated code refers to `::testrig::__private`.
//!
//! Each macro parses into a small IR (`ast`), checks it with every error collected (`check`),
//! then expands (`expand`). On error it emits the errors *and* the user's item.

use proc_macro::TokenStream;

mod ast;
#[macro_use]
mod attr;
mod cfg_params;
mod check;
mod crate_files;
mod ctxt;
mod entry;
mod expand;
#[cfg(test)]
mod expansion_snapshots;
mod features;
mod messages;
mod parse;
mod parsed;
#[cfg(test)]
mod robustness;
mod template;

/// Makes a type a fixture. See the `testrig` crate's documentation.
#[proc_macro_attribute]
pub fn fixture(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::fixture(args.into(), item.into()).into()
}

/// A `#[case(..)]` row written first, above `#[testrig::test]` or without it.
#[proc_macro_attribute]
pub fn case(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::case(args.into(), item.into()).into()
}

/// rstest_reuse's `#[template]`: the test's attributes, kept for `#[apply(name)]`.
#[proc_macro_attribute]
pub fn template(args: TokenStream, item: TokenStream) -> TokenStream {
    template::template(args.into(), item.into()).into()
}

/// rstest_reuse's `#[apply(name)]`: the attributes of template `name` on this test.
#[proc_macro_attribute]
pub fn apply(args: TokenStream, item: TokenStream) -> TokenStream {
    template::apply(args.into(), item.into()).into()
}

/// What a template's macro expands `#[apply]` to: the template (`args`) merged into the test.
#[proc_macro_attribute]
pub fn apply_template(args: TokenStream, item: TokenStream) -> TokenStream {
    template::apply_template(args.into(), item.into()).into()
}

/// An entry point per row of the attribute table (see `attr`): each starts the test's
/// expansion from that attribute. Documented where the `testrig` crate re-exports them.
macro_rules! entry_points {
    ($($name:ident => $kind:ident, $feature:expr, $once:expr, $parse:expr, $lower:expr, $field:expr;)*) => {$(
        #[proc_macro_attribute]
        pub fn $name(args: TokenStream, item: TokenStream) -> TokenStream {
            entry::test(attr::OurAttribute::$kind, args.into(), item.into()).into()
        }
    )*};
}
attribute_table!(entry_points);
