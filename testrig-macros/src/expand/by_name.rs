//! rstest's injection by name: a parameter `graph: G` is the value of the fixture function
//! `graph`, whose type of the same name (`#[fixture] fn graph` defines it) the parameter's
//! name finds. See `testrig-runtime/src/core/by_name.rs` for the runtime half.
//!
//! A name may find nothing (a testrig test taking a `#[fixture(by_value)]` type, or a
//! mistake). So the lookup is written as two nested blocks: the outer defines a stand-in of
//! that name (an alias of one of the runtime's), the inner imports the module's names with a
//! glob, which shadows the outer block's items, and says what the name found into a type of
//! the parameter's (`Resolved`). The name is the module's when it has one, the stand-in's
//! otherwise, and no `use` of it needs resolving (an import could not tell the two apart).
//! Everything else — the plan, the call — names what was found through that type: one
//! lookup per parameter.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{ByName, Fallback, Form};

/// The type carrying what parameter `index`'s name found (`__testrig_param_0`, or, for a
/// fixture function's parameter, `__testrig_dep_0`).
pub fn resolved_ident(prefix: &str, index: usize) -> syn::Ident {
    syn::Ident::new(&format!("__testrig_{prefix}_{index}"), Span::call_site())
}

/// `carrier` (a unit struct of `vis`) and the lookup that says what `by_name`'s name found
/// into it: `impl Resolved for carrier { type Marker = graph; }`.
pub fn resolve_into(by_name: &ByName, carrier: &syn::Ident, vis: TokenStream) -> TokenStream {
    let path = &by_name.path;
    let resolved = quote! {
        impl ::testrig::__private::Resolved for #carrier {
            type Marker = #path;
        }
    };
    let found = match path.get_ident() {
        // `#[from(module::graph)]`: a path, found as written.
        None => resolved,
        Some(name) => {
            let stand_in = match by_name.fallback {
                Fallback::ByType(_) => quote!(::testrig::__private::TakenStandIn),
                Fallback::Missing => quote!(::testrig::__private::MissingStandIn),
            };
            quote! {
                #[allow(non_camel_case_types)]
                type #name = #stand_in;
                {
                    #[allow(unused_imports)]
                    use self::*;
                    #resolved
                }
            }
        }
    };
    quote! {
        #[allow(non_camel_case_types)]
        #vis struct #carrier;
        const _: () = { #found };
    }
}

/// What the name found, as a type: `<carrier as Resolved>::Marker`.
fn found(carrier: &TokenStream) -> TokenStream {
    quote!(<#carrier as ::testrig::__private::Resolved>::Marker)
}

/// The plan's root for a parameter whose name was resolved into `carrier`.
pub fn root_type(by_name: &ByName, carrier: &syn::Ident) -> syn::Type {
    let ty = param_type(by_name);
    let found = found(&quote!(#carrier));
    syn::parse_quote!(<#found as ::testrig::__private::Named<#ty>>::Root)
}

/// The type the plan gives [`Named`]: the one its stand-in may take, else `()`.
pub fn param_type(by_name: &ByName) -> TokenStream {
    match &by_name.fallback {
        Fallback::ByType(ty) => quote!(#ty),
        Fallback::Missing => quote!(()),
    }
}

/// `root_meta::<carrier, T>()` or `taken_meta::<..>()`: what the name found, as metadata.
pub fn meta(function: &str, by_name: &ByName, carrier: &TokenStream) -> TokenStream {
    let function = syn::Ident::new(function, Span::call_site());
    let ty = param_type(by_name);
    quote!(::testrig::__private::#function::<#carrier, #ty>())
}

/// The expression that makes the value, in an async context (`.await`) or a sync one
/// (polled once), from the stack `stack`: `graph::__testrig_get(stack)` or, with
/// `#[with(a, b)]`, `graph::__testrig_partial_2(stack, a, b)`, `graph` being what the name
/// found (through `carrier`).
pub fn value(
    by_name: &ByName,
    carrier: &TokenStream,
    with: Option<&[syn::Expr]>,
    stack: &syn::Ident,
    in_async: bool,
) -> TokenStream {
    // Spanned at the name: what it found (or its stand-in) is reported there, at the
    // argument a stand-in's bound is checked on (our local itself keeps our span: see
    // expand/test.rs).
    let span = by_name.path.span();
    let stack = quote_spanned!(span=> ::core::convert::identity(#stack));
    let found = found(carrier);
    let call = match with {
        None => quote_spanned!(span=> <#found>::__testrig_get(#stack)),
        Some(args) => {
            let partial = format_ident!("__testrig_partial_{}", args.len(), span = span);
            quote_spanned!(span=> <#found>::#partial(#stack, #(#args),*))
        }
    };
    if !by_name.awaited {
        return call;
    }
    if in_async {
        quote!(#call.await)
    } else {
        let shown = crate::parse::path_text(&by_name.path);
        quote!(::testrig::__private::now(#call, #shown))
    }
}

/// How the bound value `local` is handed to the function.
pub fn argument(form: Form, local: &syn::Ident) -> TokenStream {
    match form {
        Form::Value => quote!(#local),
        Form::Ref => quote!(&#local),
        Form::RefMut => quote!(&mut #local),
    }
}

/// The user's signature as rustc may read it: our parameter attributes (`#[values]`,
/// `#[files]`, `#[options]` and rstest's marks) removed, and a `#[future]` parameter not
/// awaited typed as the future it receives (`impl Future<Output = T>`), as rstest does.
/// `all_awaited`: rstest's `#[awt]` on the function, which awaits every `#[future]`.
pub fn plain_signature(sig: &mut syn::Signature, all_awaited: bool) {
    for input in &mut sig.inputs {
        let syn::FnArg::Typed(typed) = input else { continue };
        let future = typed
            .attrs
            .iter()
            .any(|attribute| attribute.path().is_ident("future") && matches!(attribute.meta, syn::Meta::Path(_)));
        let awaited = all_awaited
            || typed.attrs.iter().any(|attribute| {
                attribute.path().is_ident("awt")
                    || (attribute.path().is_ident("future") && matches!(attribute.meta, syn::Meta::List(_)))
            });
        typed.attrs.retain(|attribute| {
            !crate::parse::marks::is_mark(attribute)
                && !attribute.path().is_ident("values")
                && !attribute.path().is_ident("files")
                && !crate::ast::is_options_marker(attribute)
        });
        if future && !awaited {
            let ty = &typed.ty;
            typed.ty = syn::parse_quote!(impl ::core::future::Future<Output = #ty>);
        }
    }
}
