//! Our attributes on a test function: one table, one row each — its name, the facade feature
//! it needs, whether a test may carry it twice, its grammar (a file of `parse/`) and what it
//! lowers to (fixtures the test needs, with their options; or what the test does itself).
//! Everything that asks "is this ours?" or "what does it mean?" reads the table: the entry
//! points (lib.rs), [`TestAttr::classify`], the test's IR ([`crate::ast::TestFn`]), its roots
//! ([`crate::expand::roots`]), through what each lowers to ([`crate::expand::lower`]).
//! Adding an attribute is a row here, its grammar in `parse/`, and the runtime fixture or
//! hook it lowers to.

use proc_macro2::{Span, TokenStream};
use syn::Attribute;

use crate::ctxt::Ctxt;
use crate::expand::lower::{self as roots, Root};
use crate::features::Feature;
use crate::messages;
use crate::parse;
pub use crate::parsed::Parsed;

/// The table: `name => Kind, feature, once (what a second one is told), grammar, lowering to
/// fixtures, lowering to a field of the test's data`.
/// Invoked with the macro that turns it into code (`$then`), here and in lib.rs.
macro_rules! attribute_table {
    ($then:ident) => {
        $then! {
            test => FixtureTest, None, Some(messages::DUPLICATE_TEST_ATTR),
                |i| Parsed::Options(parse::test_options::TestOptions::parse(i.args, i.cx)), roots::none, roots::no_field;
            with => With, None, None,
                |i| Parsed::With(parse::with::parse(i.args, i.attribute, i.cx)), roots::with, roots::no_field;
            conf => Conf, None, None,
                |i| Parsed::Conf(parse::conf::parse(i.args, i.attribute, i.cx).into_iter().collect()), roots::none,
                roots::no_field;
            env => Env, None, None,
                |i| Parsed::Env(parse::env::parse(i.args, i.attribute, &all(i.earlier, Parsed::env), i.cx)), roots::none,
                roots::no_field;
            with_cells => WithCells, Some(Feature::Any), Some(messages::DUPLICATE_WITH_CELLS),
                |i| Parsed::Cells(parse::cells::parse(i.args, i.attribute, i.cx)), roots::cells, roots::no_field;
            database => Database, Some(Feature::Db), Some(messages::DUPLICATE_DATABASE),
                |i| Parsed::Database(parse::database::parse(i.args, i.cx)), roots::database, roots::no_field;
            databases => Databases, Some(Feature::Db), Some(messages::DUPLICATE_DATABASES),
                |i| Parsed::Databases(parse::database::parse_set(i.args, i.span, i.cx)), roots::databases, roots::no_field;
            poison_db => PoisonDb, Some(Feature::Db), Some(messages::DUPLICATE_POISON),
                |i| flag(i, messages::POISON_OPTIONS), roots::none, roots::no_field;
            capture_logs => CaptureLogs, Some(Feature::Logs), Some(messages::DUPLICATE_CAPTURE_LOGS),
                |i| flag(i, messages::CAPTURE_LOGS_OPTIONS), roots::logs, roots::no_field;
            timeout => Timeout, None, Some(messages::DUPLICATE_TIMEOUT),
                |i| Parsed::Timeout(parse::timeout::parse(i.args, i.attribute, i.cx)), roots::none, roots::timeout;
            service => Service, Some(Feature::Async), None,
                |i| Parsed::Services(parse::services::parse(i.args, i.attribute, &all(i.earlier, Parsed::services), i.cx)),
                roots::none, roots::no_field;
        }
    };
}

/// The table as this module's code: the kinds, and a row per kind.
macro_rules! attribute_rows {
    ($($name:ident => $kind:ident, $feature:expr, $once:expr, $parse:expr, $lower:expr, $field:expr;)*) => {
        /// Our attributes that may sit on a test function; any of them can start the expansion.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum OurAttribute {
            $($kind,)*
        }

        /// Every row, in the table's order.
        pub const ATTRIBUTES: &[Row] = &[$(Row {
            kind: OurAttribute::$kind,
            name: stringify!($name),
            feature: $feature,
            once: $once,
            parse: $parse,
            lower: $lower,
            field: $field,
        },)*];
    };
}
attribute_table!(attribute_rows);

/// One attribute of ours.
pub struct Row {
    pub kind: OurAttribute,
    /// Its name, bare (`#[with_cells]`) or under `testrig::` (`#[testrig::with_cells]`).
    pub name: &'static str,
    /// The facade feature its runtime support needs.
    pub feature: Option<Feature>,
    /// What a second one on the same test is told; `None`: a test may carry several.
    pub once: Option<&'static str>,
    /// Its grammar.
    pub parse: fn(Input) -> Parsed,
    /// The fixtures it stands for, with their options.
    pub lower: fn(&Parsed) -> Vec<Root>,
    /// The field of the test's data it sets (`timeout: ..,`), if any.
    pub field: fn(&Parsed) -> Option<proc_macro2::TokenStream>,
}

/// What a grammar is given: the attribute's arguments, the attribute (`None` for the one being
/// expanded, whose span is the call site), where to report, what the test's attributes read
/// so far gave (`#[env]` and `#[service]` refuse a name twice across attributes).
pub struct Input<'i> {
    pub args: TokenStream,
    pub attribute: Option<&'i Attribute>,
    pub span: Span,
    pub earlier: &'i [WrittenAttr],
    pub cx: &'i Ctxt,
}

/// Everything `of` picks from what the attributes said, in the order written: the
/// `#[env]` variables, `#[conf]` layers, `#[service]` start functions of all of them.
pub fn all<T>(written: &[WrittenAttr], of: for<'p> fn(&'p Parsed) -> &'p [T]) -> Vec<&T> {
    written.iter().flat_map(|written| of(&written.value)).collect()
}

/// One of our attributes on a test, as written: which, where, what it said. A test keeps
/// them in the order written: the fixtures they stand for are set up in it (`#[with_cells]`
/// above `#[with(AppCode)]`: the cells first).
pub struct WrittenAttr {
    pub kind: OurAttribute,
    pub span: Span,
    pub value: Parsed,
}

impl OurAttribute {
    pub fn row(self) -> &'static Row {
        // The table has a row per kind, in the enum's order.
        &ATTRIBUTES[self as usize]
    }

    /// The attribute's name under `testrig::` (`test`, `with_cells`).
    pub fn path_name(self) -> &'static str {
        self.row().name
    }

    /// The attribute as written in messages (`#[with_cells]`), and the facade feature it
    /// needs, when it needs one.
    pub fn feature(self) -> Option<(String, Feature)> {
        self.row().feature.map(|feature| (format!("`#[{}]`", self.path_name()), feature))
    }
}

/// `#[poison_db]`, `#[capture_logs]`: no arguments.
fn flag(input: Input, with_arguments: &'static str) -> Parsed {
    if !input.args.is_empty() {
        input.cx.error_spanned_by(&input.args, with_arguments);
    }
    Parsed::Flag(input.span)
}

/// What an attribute on a test function is to us.
pub enum TestAttr<'a> {
    /// One of ours, bare (`#[with(..)]`) or under `testrig::` (`#[testrig::with(..)]`).
    Ours(OurAttribute, &'a Attribute),
    /// `#[test]`, or the `#[::core::prelude::v1::test]` another test macro left.
    PlainTest(&'a Attribute),
    /// `#[tokio::test]`.
    TokioTest(&'a Attribute),
    /// `#[case(..)]` or `#[case::name(..)]`: one row of values for the case parameters.
    Case(&'a Attribute),
    /// `#[cases(table)]`: rows of a `case_table!`.
    Cases(&'a Attribute),
    /// Anything else: kept on the generated test as written.
    Other(&'a Attribute),
}

impl<'a> TestAttr<'a> {
    pub fn classify(attribute: &'a Attribute) -> Self {
        let path = attribute.path();
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        // `#[test]` alone is the standard one; ours is `#[testrig::test]`.
        let ours = |name: &str| {
            ATTRIBUTES.iter().find(|row| row.name == name && row.kind != OurAttribute::FixtureTest).map(|row| row.kind)
        };
        match segments.as_slice() {
            ["testrig", "test"] => TestAttr::Ours(OurAttribute::FixtureTest, attribute),
            [name] | ["testrig", name] => match ours(name) {
                Some(kind) => TestAttr::Ours(kind, attribute),
                None if *name == "cases" => TestAttr::Cases(attribute),
                None if segments.len() == 1 && *name == "test" => TestAttr::PlainTest(attribute),
                None if *name == "case" => TestAttr::Case(attribute),
                None => TestAttr::Other(attribute),
            },
            ["core" | "std", "prelude", _, "test"] => TestAttr::PlainTest(attribute),
            ["tokio", "test"] => TestAttr::TokioTest(attribute),
            ["case", _] => TestAttr::Case(attribute),
            _ => TestAttr::Other(attribute),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_test_attributes() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[testrig::test]),
            syn::parse_quote!(#[with(A)]),
            syn::parse_quote!(#[testrig::with_cells(cell1)]),
            syn::parse_quote!(#[test]),
            syn::parse_quote!(#[::core::prelude::v1::test]),
            syn::parse_quote!(#[tokio::test]),
            syn::parse_quote!(#[should_panic]),
            syn::parse_quote!(#[case::named(1)]),
            syn::parse_quote!(#[testrig::cases(table)]),
        ];
        let kinds: Vec<String> = attrs
            .iter()
            .map(|a| match TestAttr::classify(a) {
                TestAttr::Ours(kind, _) => format!("{kind:?}"),
                TestAttr::PlainTest(_) => "plain".into(),
                TestAttr::TokioTest(_) => "tokio".into(),
                TestAttr::Other(_) => "other".into(),
                TestAttr::Case(_) => "case".into(),
                TestAttr::Cases(_) => "cases".into(),
            })
            .collect();
        assert_eq!(kinds, ["FixtureTest", "With", "WithCells", "plain", "plain", "tokio", "other", "case", "cases"]);
    }

    #[test]
    fn every_kind_is_its_own_row() {
        for (index, row) in ATTRIBUTES.iter().enumerate() {
            assert_eq!(row.kind as usize, index, "{} is not in the enum's order", row.name);
            assert_eq!(row.kind.row().name, row.name);
        }
    }
}
