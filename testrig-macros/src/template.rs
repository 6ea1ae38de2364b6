//! rstest_reuse's `#[template]` and `#[apply(name)]`: a test's attributes (its `#[case]`
//! rows, `#[values]`, `#[should_panic]`, ..) written once and applied to other tests.
//!
//! `#[template]` keeps the function it is on as tokens in a `macro_rules!` macro of the same
//! name, and emits no function. `#[apply(name)]` hands the test to that macro, which hands
//! both to `__apply_template`: the template's attributes from its test attribute on go
//! before the test's own (so the test's extra rows come after the template's), and each of
//! the test's parameters gets the template's attributes for the parameter of its name that
//! it does not have itself (`#[case]`, `#[values(..)]`) — as rstest_reuse merges them.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Attribute, FnArg, ItemFn, Pat};

use crate::attr::{OurAttribute, TestAttr};
use crate::messages;

/// `#[template]`: the function as a macro that applies it.
pub fn template(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new(Span::call_site(), messages::TEMPLATE_ON_WRONG_ITEM).to_compile_error();
            return quote!(#error #item);
        }
    };
    let mut errors = TokenStream::new();
    if !args.is_empty() {
        errors.extend(syn::Error::new_spanned(&args, messages::TEMPLATE_WITH_ARGS).to_compile_error());
    }
    let name = &function.sig.ident;
    // `pub(crate) use`: a path, so tests in child modules reach it with `use super::*`. (A
    // `macro_rules!` macro cannot be re-exported beyond its crate, whatever the function's
    // visibility; rstest_reuse's templates are the crate's too.)
    let export = quote!(#[allow(unused_imports)] pub(crate) use #name;);
    let doc = format!("The test template `{name}`: `#[apply({name})]` on a test gives it this one's attributes.");
    quote! {
        #errors
        #[doc = #doc]
        #[allow(unused_macros)]
        macro_rules! #name {
            ($($item:tt)*) => {
                #[::testrig::__apply_template(#function)]
                $($item)*
            };
        }
        #export
    }
}

/// `#[apply(name)]`: the test handed to the template macro `name`.
pub fn apply(args: TokenStream, item: TokenStream) -> TokenStream {
    match syn::parse2::<syn::Path>(args.clone()) {
        Ok(template) => quote!(#template! { #item }),
        Err(_) => {
            let error = syn::Error::new_spanned(&args, messages::APPLY_SYNTAX).to_compile_error();
            quote!(#error #item)
        }
    }
}

/// What `apply` expands to through the template's macro: `args` the template, `item` the
/// test. The merged function, its test attribute first.
pub fn apply_template(args: TokenStream, item: TokenStream) -> TokenStream {
    let (template, mut test) = match (syn::parse2::<ItemFn>(args), syn::parse2::<ItemFn>(item.clone())) {
        (Ok(template), Ok(test)) => (template, test),
        // The test is not a function: its own expansion reports it; no template to read.
        _ => return item,
    };
    let is_test_attribute = |attribute: &Attribute| {
        attribute.path().is_ident("rstest")
            || matches!(TestAttr::classify(attribute), TestAttr::Ours(OurAttribute::FixtureTest, _))
    };
    // rstest_reuse's: the template's attributes from its test attribute on (one written above
    // it is dropped); ours when it names none.
    let from = template.attrs.iter().position(is_test_attribute);
    let mut attrs: Vec<Attribute> = match from {
        Some(at) => template.attrs[at..].to_vec(),
        None => {
            let mut attrs: Vec<Attribute> = vec![syn::parse_quote!(#[::testrig::test])];
            attrs.extend(template.attrs.iter().cloned());
            attrs
        }
    };
    if let Some(first) = attrs.first_mut() {
        if first.path().is_ident("rstest") {
            *first = syn::parse_quote!(#[::testrig::test]);
        }
    }
    attrs.extend(test.attrs.iter().filter(|attribute| !is_test_attribute(attribute)).cloned());
    test.attrs = attrs;
    for input in &mut test.sig.inputs {
        let FnArg::Typed(typed) = input else { continue };
        let Some(name) = pattern_name(&typed.pat) else { continue };
        let Some(theirs) = template.sig.inputs.iter().find_map(|input| match input {
            FnArg::Typed(theirs) if pattern_name(&theirs.pat).as_deref() == Some(name.as_str()) => Some(theirs),
            _ => None,
        }) else {
            continue;
        };
        for attribute in &theirs.attrs {
            let text = attribute.to_token_stream().to_string();
            if !typed.attrs.iter().any(|own| own.to_token_stream().to_string() == text) {
                typed.attrs.push(attribute.clone());
            }
        }
    }
    test.into_token_stream()
}

/// A parameter's name for matching, `_x` as `x` (rstest_reuse's).
fn pattern_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) => {
            let name = ident.ident.to_string();
            Some(name.strip_prefix('_').map(str::to_owned).unwrap_or(name))
        }
        _ => None,
    }
}
