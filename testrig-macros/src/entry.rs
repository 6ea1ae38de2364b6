//! The macros as `proc_macro2` functions, so unit tests and fuzzers can drive them.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::ast::{FixtureDef, TestFn};
use crate::attr::{OurAttribute, TestAttr};
use crate::ctxt::Ctxt;
use crate::{check, expand, messages};

pub fn fixture(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match crate::parse::item::item(item.clone()) {
        Ok(item) => item,
        // Not valid Rust: hand it back untouched so rustc reports the real syntax error.
        Err(_) => return item,
    };
    per_cfg_combination(&item, |item| fixture_item(args.clone(), item))
}

/// `expand(item)`, once per combination of `#[cfg]` parameters (see `cfg_params`); on
/// error, the item as a plain function without our parameter attributes, which rustc would
/// report as unknown.
fn per_cfg_combination(item: &syn::Item, expand: impl Fn(syn::Item) -> TokenStream) -> TokenStream {
    match crate::cfg_params::per_combination(item, expand) {
        Ok(tokens) => tokens,
        Err(error) => {
            let mut tokens = error.to_compile_error();
            let mut item = item.clone();
            if let syn::Item::Fn(function) = &mut item {
                function.attrs.clear();
                for input in &mut function.sig.inputs {
                    if let syn::FnArg::Typed(typed) = input {
                        typed.attrs.retain(|attribute| attribute.path().is_ident("cfg"));
                    }
                }
                tokens.extend(quote::quote!(#[allow(dead_code)]));
            }
            tokens.extend(item.to_token_stream());
            tokens
        }
    }
}

fn fixture_item(args: TokenStream, item: syn::Item) -> TokenStream {
    let cx = Ctxt::new();
    let options = crate::parse::fixture_options::FixtureOptions::parse(args, &cx);
    let def = match &item {
        syn::Item::Impl(item) => FixtureDef::from_impl(item, options),
        syn::Item::Fn(function) => FixtureDef::from_fn(function, options),
        other => {
            cx.error_spanned_by(item_head(other), messages::FIXTURE_ON_WRONG_ITEM);
            return with_errors(cx, other.to_token_stream());
        }
    };
    check::fixture(&def, &cx);
    match cx.check() {
        Ok(()) => expand::fixture(&def),
        Err(errors) => with_error(errors, expand::fixture_fallback(&def)),
    }
}

pub fn test(origin: OurAttribute, args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match crate::parse::item::item(item.clone()) {
        Ok(item) => item,
        Err(_) => return item,
    };
    per_cfg_combination(&item, |item| test_item(origin, args.clone(), item))
}

fn test_item(origin: OurAttribute, args: TokenStream, item: syn::Item) -> TokenStream {
    if let syn::Item::Fn(function) = &item {
        if let Some(applied) = apply_case_table(origin, &args, function) {
            return applied;
        }
        if let Some(per_backend) = per_backend(origin, &args, function) {
            return per_backend;
        }
    }
    let cx = Ctxt::new();
    let syn::Item::Fn(function) = &item else {
        cx.error_spanned_by(item_head(&item), messages::TEST_ON_WRONG_ITEM);
        return with_errors(cx, item.to_token_stream());
    };
    let test = TestFn::from_syn(origin, args, function, &cx);
    check::test(&test, &cx);
    // Built from the checked test only (tokio-macros' `build()`): building may find more.
    let built = (!cx.has_errors()).then(|| crate::expand::roots::BuiltTest::new(&test, &cx));
    match (cx.check(), built) {
        (Ok(()), Some(built)) => expand::test(&built),
        (checked, _) => with_error(checked.err(), expand::test_fallback(&test)),
    }
}

/// `#[case(..)]` written first (without `#[testrig::test]` above it): the row goes back on
/// the function, and the function is a fixture test, with the options of a
/// `#[testrig::test(..)]` below it if there is one.
pub fn case(args: TokenStream, item: TokenStream) -> TokenStream {
    use quote::quote;
    let Ok(mut function) = crate::parse::item::function(item.clone()) else {
        // Not a function: the test expansion says what a test is.
        return test(OurAttribute::FixtureTest, TokenStream::new(), item);
    };
    let is_test_attr = |attribute: &syn::Attribute| {
        matches!(TestAttr::classify(attribute), TestAttr::Ours(OurAttribute::FixtureTest, _))
    };
    let options = match function.attrs.iter().position(is_test_attr) {
        Some(at) => match function.attrs.remove(at).meta {
            syn::Meta::List(list) => list.tokens,
            _ => TokenStream::new(),
        },
        None => TokenStream::new(),
    };
    function.attrs.insert(0, syn::parse_quote!(#[case(#args)]));
    test(OurAttribute::FixtureTest, options, quote!(#function))
}

/// `#[cases(table)]`: the rows of `testrig::case_table! { table { .. } }` go where the
/// attribute is. The table is a `macro_rules!` macro, so the test is handed to it — with the
/// attribute that is expanding now written again — and it writes its rows in and expands
/// the test again (rstest_reuse's `#[apply]`). One table per pass, in order.
fn apply_case_table(origin: OurAttribute, args: &TokenStream, function: &syn::ItemFn) -> Option<TokenStream> {
    use quote::quote;
    let at = function.attrs.iter().position(|attribute| matches!(TestAttr::classify(attribute), TestAttr::Cases(_)))?;
    let attribute = &function.attrs[at];
    let table = match attribute.parse_args::<syn::Path>() {
        Ok(table) => table,
        Err(_) => {
            // The function alone: without its rows, expanding it would add errors of its own.
            return Some(refused(syn::Error::new_spanned(attribute, messages::CASES_SYNTAX), function));
        }
    };
    let name = quote::format_ident!("{}", origin.path_name());
    let before = &function.attrs[..at];
    let after = &function.attrs[at + 1..];
    let mut bare = function.clone();
    bare.attrs.clear();
    Some(quote! {
        #table! { @testrig_apply [#[::testrig::#name(#args)] #(#before)*] [#(#after)*] #bare }
    })
}

/// `#[database(backends(sqlite, postgres))]`: a module named as the test, with the test once
/// per backend in it, named as the backend (`t::sqlite`, `t::postgres`: nextest and libtest
/// filter them by name), each with `#[database(backend = ..)]` and the other options, and
/// expanded again as a test of its own.
fn per_backend(origin: OurAttribute, args: &TokenStream, function: &syn::ItemFn) -> Option<TokenStream> {
    use quote::quote;
    let is_database =
        |attribute: &syn::Attribute| matches!(TestAttr::classify(attribute), TestAttr::Ours(OurAttribute::Database, _));
    // The outer attribute (`#[testrig::database(backends(..))]`), or a `#[database(..)]` below.
    let (list, at) = match origin {
        OurAttribute::Database => (crate::parse::database::backends(args)?, None),
        _ => {
            let at = function.attrs.iter().position(is_database)?;
            let syn::Meta::List(list) = &function.attrs[at].meta else { return None };
            (crate::parse::database::backends(&list.tokens)?, Some(at))
        }
    };
    // A typed pool is one backend's: said once, at the parameter, not once per case.
    for input in &function.sig.inputs {
        let syn::FnArg::Typed(typed) = input else { continue };
        let typed_backend = crate::check::typed_pool(&typed.ty);
        if let Some((typed_backend, (_, other))) =
            typed_backend.and_then(|typed| Some((typed, list.names.iter().find(|(_, backend)| *backend != typed)?)))
        {
            let message = messages::typed_pool_of_another_backend(other.name(), typed_backend.name());
            return Some(refused(syn::Error::new_spanned(&typed.ty, message), function));
        }
    }
    let name = &function.sig.ident;
    let vis = &function.vis;
    let outer = quote::format_ident!("{}", origin.path_name());
    let cases = list.names.iter().map(|(written, backend)| {
        let rest = &list.rest;
        let backend_ident = syn::Ident::new(backend.name(), written.span());
        let database = quote!(backend = #backend_ident #(, #rest)*);
        let mut one = function.clone();
        one.sig.ident = syn::Ident::new(backend.name(), written.span());
        // Callable where the test was (a doc test's `main`, a test calling another).
        if matches!(one.vis, syn::Visibility::Inherited) {
            one.vis = syn::parse_quote!(pub(super));
        }
        let outer_args = match at {
            None => database.clone(),
            Some(at) => {
                let attribute = &mut one.attrs[at];
                let path = attribute.path().clone();
                *attribute = syn::parse_quote!(#[#path(#database)]);
                args.clone()
            }
        };
        quote!(#[::testrig::#outer(#outer_args)] #one)
    });
    // The generated module's import of the test's module (a token here, so this file is not
    // read as importing from its own parent).
    let parent = quote!(super);
    Some(quote! {
        #vis mod #name {
            #[allow(unused_imports)]
            use #parent::*;
            #(#cases)*
        }
    })
}

/// `error`, and the function as a plain one without its attributes: expanding it as a test
/// would only add errors of its own.
fn refused(error: syn::Error, function: &syn::ItemFn) -> TokenStream {
    let error = error.to_compile_error();
    let mut bare = function.clone();
    bare.attrs.clear();
    quote::quote!(#error #[allow(dead_code)] #bare)
}

fn with_errors(cx: Ctxt, item: TokenStream) -> TokenStream {
    with_error(cx.check().err(), item)
}

/// The errors (if any), then `item`: always emitted, so rust-analyzer keeps working in it.
fn with_error(errors: impl Into<Option<syn::Error>>, item: TokenStream) -> TokenStream {
    let mut tokens = errors.into().map_or_else(TokenStream::new, |error| error.to_compile_error());
    tokens.extend(item);
    tokens
}

/// The tokens that name an item (`struct Foo`, `mod bar`), to span "wrong item" errors on
/// them instead of on a whole body.
fn item_head(item: &syn::Item) -> TokenStream {
    use quote::quote;
    use syn::Item;
    match item {
        Item::Struct(s) => {
            let (keyword, name) = (&s.struct_token, &s.ident);
            quote!(#keyword #name)
        }
        Item::Enum(e) => {
            let (keyword, name) = (&e.enum_token, &e.ident);
            quote!(#keyword #name)
        }
        Item::Mod(m) => {
            let (keyword, name) = (&m.mod_token, &m.ident);
            quote!(#keyword #name)
        }
        Item::Trait(t) => {
            let (keyword, name) = (&t.trait_token, &t.ident);
            quote!(#keyword #name)
        }
        Item::Const(c) => {
            let (keyword, name) = (&c.const_token, &c.ident);
            quote!(#keyword #name)
        }
        Item::Static(s) => {
            let (keyword, name) = (&s.static_token, &s.ident);
            quote!(#keyword #name)
        }
        Item::Impl(i) => {
            let (keyword, name) = (&i.impl_token, &i.self_ty);
            quote!(#keyword #name)
        }
        other => other.to_token_stream(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn valid_test_expands_to_a_harness_test() {
        let out = test(
            OurAttribute::FixtureTest,
            quote!(),
            quote!(
                fn t(a: &A) {}
            ),
        )
        .to_string();
        assert!(out.contains("cfg_attr (test , :: core :: prelude :: v1 :: test)"), "{out}");
        // Nothing but a fixture: the wrapper is one call of the shim for its signature.
        assert!(out.contains(":: testrig :: __private :: shared_run_1 :: < A , _ >"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn errors_come_with_the_original_function() {
        let out = test(
            OurAttribute::FixtureTest,
            quote!(flavor = "x"),
            quote!(
                fn t(a: A) {
                    body_marker();
                }
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("body_marker"), "{out}");
    }

    #[test]
    fn unparsable_input_is_returned_unchanged() {
        let input = quote!(fn broken(a: ) {});
        assert_eq!(test(OurAttribute::FixtureTest, quote!(), input.clone()).to_string(), input.to_string());
        assert_eq!(fixture(quote!(), input.clone()).to_string(), input.to_string());
    }

    #[test]
    fn fixture_on_a_struct_is_an_error_that_keeps_the_struct() {
        let out = fixture(
            quote!(),
            quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.contains("compile_error") && out.contains("struct S"), "{out}");
    }
}
