//! `#[fixture(autouse)]`, `#[fixture(autouse = crate)]`, `#[fixture(by_value)]`,
//! `#[fixture(scope = once)]`.

use proc_macro2::{Span, TokenStream};
use syn::{Expr, Meta};

use super::slot::{Attr, Flag};
use super::{key_text, parse_list};
use crate::ctxt::Ctxt;
use crate::messages;

#[derive(Default)]
pub struct FixtureOptions {
    /// Applies to every fixture test of the module that defines it and of its submodules.
    pub autouse: Option<Span>,
    /// `autouse = crate`: to every fixture test of the crate (binary) that defines it, as from
    /// a `tests/common/mod.rs` the test files include.
    pub autouse_crate: bool,
    /// `by_value`: tests may take it by value (`conn: Connection`), skipping its teardown.
    pub by_value: Option<Span>,
    /// `scope = once`: set up once per process and shared; where it was written.
    pub once: Option<Span>,
}

const FIXTURE_OPTIONS: &[&str] = &["autouse", "by_value", "scope"];

/// Which instances a fixture's `scope` shares.
enum Scope {
    Test,
    Once(Span),
}

impl FixtureOptions {
    pub fn parse(args: TokenStream, cx: &Ctxt) -> Self {
        // The span of `autouse`, and whether it is `autouse = crate`.
        let mut autouse: Attr<(Span, bool)> = Attr::option(cx, "autouse");
        let mut by_value = Flag::option(cx, "by_value");
        let mut scope: Attr<Option<Scope>> = Attr::option(cx, "scope");
        let metas = if args.is_empty() { None } else { parse_list::<Meta>(args, cx) };
        for meta in metas.into_iter().flatten() {
            let key = meta.path();
            let key_text = key_text(key);
            let span = syn::spanned::Spanned::span(key);
            match (&meta, key_text.as_str()) {
                (Meta::Path(_), "autouse") => autouse.set(key, (span, false)),
                (Meta::NameValue(name_value), "autouse") if is_crate(&name_value.value) => {
                    autouse.set(key, (span, true))
                }
                // `autouse = other` after an `autouse` is a duplicate first.
                (Meta::NameValue(_), "autouse") if autouse.is_set() => autouse.set(key, (span, false)),
                (_, "autouse") => cx.error_spanned_by(&meta, messages::AUTOUSE_FLAG),
                (Meta::Path(_), "by_value") => by_value.set(key, span),
                (_, "by_value") => cx.error_spanned_by(&meta, messages::BY_VALUE_FLAG),
                (Meta::NameValue(name_value), "scope") => scope.set_with(key, || match &name_value.value {
                    Expr::Path(path) if path.path.is_ident("once") => {
                        Some(Scope::Once(syn::spanned::Spanned::span(&name_value.value)))
                    }
                    Expr::Path(path) if path.path.is_ident("test") => Some(Scope::Test),
                    other => {
                        cx.error_spanned_by(other, messages::UNKNOWN_SCOPE);
                        None
                    }
                }),
                (_, "scope") => cx.error_spanned_by(&meta, messages::UNKNOWN_SCOPE),
                _ => cx.error_spanned_by(key, messages::unknown_option("fixture", &key_text, FIXTURE_OPTIONS)),
            }
        }
        let autouse = autouse.get();
        FixtureOptions {
            autouse: autouse.map(|(span, _)| span),
            autouse_crate: autouse.is_some_and(|(_, crate_wide)| crate_wide),
            by_value: by_value.get(),
            once: match scope.get().flatten() {
                Some(Scope::Once(span)) => Some(span),
                Some(Scope::Test) | None => None,
            },
        }
    }
}

/// `crate` (a keyword, so an `Expr::Path` of one segment `crate`).
fn is_crate(value: &Expr) -> bool {
    matches!(value, Expr::Path(path) if path.qself.is_none() && path.path.segments.len() == 1
        && path.path.segments[0].ident == "crate")
}
