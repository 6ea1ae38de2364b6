//! Which attributes on a test function are ours, and which feature each needs. Their
//! grammars are in `parse/`.

use syn::Attribute;

/// Our attributes that may sit on a test function; any of them can start the expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OurAttribute {
    /// `#[testrig::test(..)]`.
    FixtureTest,
    /// `#[with(..)]`.
    With,
    /// `#[conf(..)]`.
    Conf,
    /// `#[env(..)]`.
    Env,
    /// `#[with_cells(..)]`.
    WithCells,
    /// `#[poison_db]`.
    PoisonDb,
    /// `#[capture_logs]`.
    CaptureLogs,
    /// `#[timeout(secs)]`.
    Timeout,
    /// `#[service(start_fn, ..)]`.
    Service,
    /// `#[database(..)]`.
    Database,
    /// `#[databases(..)]`.
    Databases,
}

impl OurAttribute {
    /// The attribute's name under `testrig::` (`test`, `with_cells`).
    pub fn path_name(self) -> &'static str {
        match self {
            OurAttribute::FixtureTest => "test",
            OurAttribute::With => "with",
            OurAttribute::Conf => "conf",
            OurAttribute::Env => "env",
            OurAttribute::WithCells => "with_cells",
            OurAttribute::PoisonDb => "poison_db",
            OurAttribute::CaptureLogs => "capture_logs",
            OurAttribute::Timeout => "timeout",
            OurAttribute::Service => "service",
            OurAttribute::Database => "database",
            OurAttribute::Databases => "databases",
        }
    }

    /// The attribute, and the facade feature it needs, when it needs one.
    pub fn feature(self) -> Option<(&'static str, crate::features::Feature)> {
        use crate::features::Feature;
        match self {
            OurAttribute::WithCells => Some(("`#[with_cells]`", Feature::Any)),
            OurAttribute::PoisonDb => Some(("`#[poison_db]`", Feature::Db)),
            OurAttribute::Database => Some(("`#[database]`", Feature::Db)),
            OurAttribute::Databases => Some(("`#[databases]`", Feature::Db)),
            OurAttribute::CaptureLogs => Some(("`#[capture_logs]`", Feature::Logs)),
            OurAttribute::Service => Some(("`#[service]`", Feature::Async)),
            OurAttribute::FixtureTest
            | OurAttribute::With
            | OurAttribute::Conf
            | OurAttribute::Env
            | OurAttribute::Timeout => None,
        }
    }
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
    /// Anything else: kept on the generated test as written.
    Other(&'a Attribute),
}

impl<'a> TestAttr<'a> {
    pub fn classify(attribute: &'a Attribute) -> Self {
        let path = attribute.path();
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let ours = |name: &str| match name {
            "with" => Some(OurAttribute::With),
            "conf" => Some(OurAttribute::Conf),
            "env" => Some(OurAttribute::Env),
            "with_cells" => Some(OurAttribute::WithCells),
            "poison_db" => Some(OurAttribute::PoisonDb),
            "capture_logs" => Some(OurAttribute::CaptureLogs),
            "timeout" => Some(OurAttribute::Timeout),
            "service" => Some(OurAttribute::Service),
            "database" => Some(OurAttribute::Database),
            "databases" => Some(OurAttribute::Databases),
            _ => None,
        };
        match segments.as_slice() {
            ["testrig", "test"] => TestAttr::Ours(OurAttribute::FixtureTest, attribute),
            [name] | ["testrig", name] if ours(name).is_some() => match ours(name) {
                Some(kind) => TestAttr::Ours(kind, attribute),
                None => TestAttr::Other(attribute),
            },
            ["test"] | ["core" | "std", "prelude", _, "test"] => TestAttr::PlainTest(attribute),
            ["tokio", "test"] => TestAttr::TokioTest(attribute),
            ["case"] | ["case", _] | ["testrig", "case"] => TestAttr::Case(attribute),
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
        ];
        let kinds: Vec<String> = attrs
            .iter()
            .map(|a| match TestAttr::classify(a) {
                TestAttr::Ours(kind, _) => format!("{kind:?}"),
                TestAttr::PlainTest(_) => "plain".into(),
                TestAttr::TokioTest(_) => "tokio".into(),
                TestAttr::Other(_) => "other".into(),
                TestAttr::Case(_) => "case".into(),
            })
            .collect();
        assert_eq!(kinds, ["FixtureTest", "With", "WithCells", "plain", "plain", "tokio", "other", "case"]);
    }
}
