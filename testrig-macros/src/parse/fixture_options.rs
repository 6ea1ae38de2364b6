//! `#[fixture(autouse)]`, `#[fixture(autouse = crate)]`, `#[fixture(by_value)]`,
//! `#[fixture(scope = once)]`, `#[fixture(crate = path)]`; and, for testrig's own fixtures,
//! `built_in = "testrig::module"` with the capabilities they plug in (`scope_hook = path`,
//! `prepare = path`, `claims`).

use proc_macro2::{Span, TokenStream};
use syn::{Expr, Meta};

use super::slot::Attr;
use super::symbol::{AUTOUSE, BUILT_IN, BY_VALUE, CLAIMS, CRATE, PREPARE, SCOPE, SCOPE_HOOK};
use super::{options, OptionEntry};
use crate::ctxt::Ctxt;
use crate::messages;

#[derive(Default)]
pub struct FixtureOptions {
    /// Applies to every fixture test of the module that defines it and of its submodules.
    pub autouse: Option<Span>,
    /// `autouse = crate`: to every fixture test of the crate (binary) that defines it, as from
    /// a `tests/common/mod.rs` the test files include.
    pub autouse_crate: bool,
    /// `by_value`: tests may take it by value (`conn: Connection`), skipping its teardown;
    /// `by_value = clone`: a test taking it by value gets a clone, the test's instance stays
    /// for everyone else (a pool, as `#[sqlx::test]` hands it).
    pub by_value: Option<Span>,
    pub by_clone: bool,
    /// `scope = once` (set up once per process) or `scope = run` (once per run, across
    /// processes): shared, not per test; where it was written.
    pub once: Option<Span>,
    /// `scope = run`.
    pub per_run: bool,
    /// `crate = path`: where testrig is (as tokio's `crate = ..`); `crate` for testrig's own
    /// fixtures, in its runtime. Not offered to users: the test macro's paths stay `::testrig`.
    pub krate: Option<syn::Path>,
    /// `built_in = "testrig::db"`: one of testrig's own fixtures (written with `crate = crate`).
    pub built_in: Option<BuiltIn>,
}

/// What a fixture of testrig's own has beyond a user's: the module users name it from (the
/// registry lists it there), and the capabilities its feature plugs into the run.
pub struct BuiltIn {
    pub module: syn::LitStr,
    /// A hook its tests' scopes are made with (log capture from the first instant).
    pub scope_hook: Option<syn::Path>,
    /// `prepare = path`: given the test's options for the fixture, begins what its setup will
    /// wait for before any fixture of the test is set up (a throwaway server's start).
    pub prepare: Option<syn::Path>,
    /// `claims = path::TO::CLAIMS`: what it claims for its test (the database fixtures:
    /// `#[poison_db]` rejects a test that takes one).
    pub claims: Option<syn::Path>,
}

const FIXTURE_OPTIONS: &[&str] = &[AUTOUSE, BY_VALUE, SCOPE];

/// Which instances a fixture's `scope` shares.
enum Scope {
    Test,
    Once(Span),
    Run(Span),
}

impl FixtureOptions {
    pub fn parse(args: TokenStream, cx: &Ctxt) -> Self {
        // The span of `autouse`, and whether it is `autouse = crate`.
        let mut autouse: Attr<(Span, bool)> = Attr::option(cx, AUTOUSE);
        let mut by_value: Attr<(Span, bool)> = Attr::option(cx, BY_VALUE);
        let mut scope: Attr<Option<Scope>> = Attr::option(cx, SCOPE);
        let mut krate: Attr<syn::Path> = Attr::option(cx, CRATE);
        let mut built_in: Attr<syn::LitStr> = Attr::option(cx, BUILT_IN);
        let mut scope_hook: Attr<(Span, syn::Path)> = Attr::option(cx, SCOPE_HOOK);
        let mut prepare: Attr<(Span, syn::Path)> = Attr::option(cx, PREPARE);
        let mut claims: Attr<(Span, syn::Path)> = Attr::option(cx, CLAIMS);
        for OptionEntry { meta, key: key_text, span } in options(args, cx) {
            let key = meta.path();
            match (&meta, key_text.as_str()) {
                (Meta::Path(_), AUTOUSE) => autouse.set(key, (span, false)),
                (Meta::NameValue(name_value), AUTOUSE) if is_crate(&name_value.value) => autouse.set(key, (span, true)),
                // `autouse = other` after an `autouse` is a duplicate first.
                (Meta::NameValue(_), AUTOUSE) if autouse.is_set() => autouse.set(key, (span, false)),
                (_, AUTOUSE) => cx.error_spanned_by(&meta, messages::AUTOUSE_FLAG),
                (Meta::Path(_), BY_VALUE) => by_value.set(key, (span, false)),
                (Meta::NameValue(name_value), BY_VALUE) if matches!(&name_value.value, Expr::Path(path) if path.path.is_ident("clone")) => {
                    by_value.set(key, (span, true))
                }
                (_, BY_VALUE) => cx.error_spanned_by(&meta, messages::BY_VALUE_FLAG),
                (Meta::NameValue(name_value), SCOPE) => scope.set_with(key, || match &name_value.value {
                    Expr::Path(path) if path.path.is_ident("once") => {
                        Some(Scope::Once(syn::spanned::Spanned::span(&name_value.value)))
                    }
                    Expr::Path(path) if path.path.is_ident("run") => {
                        Some(Scope::Run(syn::spanned::Spanned::span(&name_value.value)))
                    }
                    Expr::Path(path) if path.path.is_ident("test") => Some(Scope::Test),
                    other => {
                        cx.error_spanned_by(other, messages::UNKNOWN_SCOPE);
                        None
                    }
                }),
                (_, SCOPE) => cx.error_spanned_by(&meta, messages::UNKNOWN_SCOPE),
                // testrig's own, for its runtime's fixtures: not offered to users, so not
                // listed in the unknown-option message either.
                (Meta::NameValue(name_value), CRATE) => match &name_value.value {
                    Expr::Path(path) if path.qself.is_none() => krate.set(key, path.path.clone()),
                    other => cx.error_spanned_by(other, messages::CRATE_PATH),
                },
                (_, CRATE) => cx.error_spanned_by(&meta, messages::CRATE_PATH),
                (Meta::NameValue(name_value), BUILT_IN) => match &name_value.value {
                    Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(module), .. }) => built_in.set(key, module.clone()),
                    other => cx.error_spanned_by(other, "`built_in` takes the module users name the fixture from"),
                },
                (Meta::NameValue(name_value), SCOPE_HOOK) => match &name_value.value {
                    Expr::Path(path) => scope_hook.set(key, (span, path.path.clone())),
                    other => cx.error_spanned_by(other, "`scope_hook` takes the path of the hook's constructor"),
                },
                (Meta::NameValue(name_value), PREPARE) => match &name_value.value {
                    Expr::Path(path) => prepare.set(key, (span, path.path.clone())),
                    other => {
                        cx.error_spanned_by(other, "`prepare` takes the path of a function of the fixture's options")
                    }
                },
                (Meta::NameValue(name_value), CLAIMS) => match &name_value.value {
                    Expr::Path(path) => claims.set(key, (span, path.path.clone())),
                    other => cx.error_spanned_by(other, "`claims` takes the path of the claims' constant"),
                },
                _ => cx.error_spanned_by(key, messages::unknown_option("fixture", &key_text, FIXTURE_OPTIONS)),
            }
        }
        let autouse = autouse.get();
        let by_value = by_value.get();
        let (scope_hook, prepare, claims) = (scope_hook.get(), prepare.get(), claims.get());
        let built_in = match built_in.get() {
            Some(module) => Some(BuiltIn {
                module,
                scope_hook: scope_hook.map(|(_, path)| path),
                prepare: prepare.map(|(_, path)| path),
                claims: claims.map(|(_, path)| path),
            }),
            None => {
                // Capabilities are for testrig's own fixtures: to anyone else, unknown options.
                let keys = [
                    (scope_hook.map(|(span, _)| span), SCOPE_HOOK),
                    (prepare.map(|(span, _)| span), PREPARE),
                    (claims.map(|(span, _)| span), CLAIMS),
                ];
                for (span, key) in keys {
                    if let Some(span) = span {
                        cx.error_at(span, messages::unknown_option("fixture", key, FIXTURE_OPTIONS));
                    }
                }
                None
            }
        };
        let scope = scope.get().flatten();
        FixtureOptions {
            per_run: matches!(scope, Some(Scope::Run(_))),
            autouse: autouse.map(|(span, _)| span),
            autouse_crate: autouse.is_some_and(|(_, crate_wide)| crate_wide),
            by_value: by_value.map(|(span, _)| span),
            by_clone: by_value.is_some_and(|(_, clone)| clone),
            once: match scope {
                Some(Scope::Once(span) | Scope::Run(span)) => Some(span),
                Some(Scope::Test) | None => None,
            },
            krate: krate.get(),
            built_in,
        }
    }
}

/// `crate` (a keyword, so an `Expr::Path` of one segment `crate`).
fn is_crate(value: &Expr) -> bool {
    matches!(value, Expr::Path(path) if path.qself.is_none() && path.path.segments.len() == 1
        && path.path.segments[0].ident == "crate")
}
