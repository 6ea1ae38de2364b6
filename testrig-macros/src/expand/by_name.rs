//! rstest's injection by name: a parameter `graph: G` is the value of the fixture function
//! `graph`, whose type of the same name (`#[fixture] fn graph` defines it) the parameter's
//! name finds. See `testrig-runtime/src/core/by_name.rs` for the runtime half.
//!
//! A name may find nothing (a testrig test taking a `#[fixture(by_value)]` type, or a
//! mistake). So the lookup is written as two nested blocks: the outer defines a stand-in of
//! that name, the inner imports the module's names with a glob, which shadows the outer
//! block's items. The name is the module's when it has one, the stand-in's otherwise, and
//! no `use` of it needs resolving (an import could not tell the two apart).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{ByName, Fallback, Form};

/// `body`, where the path it is given names `by_name`'s fixture function, or, if the name
/// finds none, the stand-in its fallback makes. `partials` are the argument counts of the
/// `#[with]` calls `body` makes, which a stand-in must answer too.
pub fn lookup(by_name: &ByName, partial: Option<usize>, body: impl FnOnce(&syn::Path) -> TokenStream) -> TokenStream {
    let path = &by_name.path;
    let Some(name) = path.get_ident() else {
        // `#[from(module::graph)]`: a path, found as written.
        return body(path);
    };
    let stand_in = stand_in(name, &by_name.fallback, partial);
    let body = body(path);
    quote! {{
        #stand_in
        {
            #[allow(unused_imports)]
            use self::*;
            #body
        }
    }}
}

/// The stand-in `name` for a name that finds no fixture function.
fn stand_in(name: &syn::Ident, fallback: &Fallback, partial: Option<usize>) -> TokenStream {
    let span = name.span();
    let mut missing_trait = TokenStream::new();
    // The parameter's type is not written here (`type Root = T` is the impl's parameter, the
    // value's type inferred at the call): an elided lifetime (`Fixture` of `Fixture<'a>`) is
    // fine at a call and in the plan's expression, not in an impl.
    let (root, takes, get) = match fallback {
        Fallback::ByType(ty) => (
            quote!(__T),
            true,
            quote_spanned! {ty.span()=>
                fn __testrig_get<__S: ?::core::marker::Sized + ::testrig::__private::TakeFrom<__V>, __V>(
                    __testrig_stack: &__S,
                ) -> ::core::future::Ready<__V> {
                    ::core::future::ready(__testrig_stack.take_from())
                }
            },
        ),
        Fallback::Missing => {
            // A trait of this stand-in's own, so the error names the function as written.
            let message = crate::messages::no_fixture_function(&name.to_string());
            let label = format!("no `#[fixture] fn {name}` here");
            let notes = crate::messages::no_fixture_function_notes(&name.to_string());
            let missing = quote_spanned! {span=>
                __TestrigNoFixtureFunction
            };
            missing_trait = quote! {
                #[diagnostic::on_unimplemented(message = #message, label = #label, #(note = #notes),*)]
                trait __TestrigNoFixtureFunction {}
            };
            let get = match partial {
                None => quote! {
                    fn __testrig_get<__S: ?::core::marker::Sized + #missing, __V>(_: &__S) -> ::core::future::Ready<__V> {
                        ::core::unreachable!()
                    }
                },
                Some(count) => {
                    let partial = format_ident!("__testrig_partial_{}", count);
                    let args: Vec<syn::Ident> = (0..count).map(|n| format_ident!("__A{}", n)).collect();
                    quote! {
                        fn #partial<__S: ?::core::marker::Sized + #missing, __V, #(#args),*>(
                            _: &__S, #(_: #args),*
                        ) -> ::core::future::Ready<__V> {
                            ::core::unreachable!()
                        }
                    }
                }
            };
            (quote!(::testrig::__private::NoFixture), false, get)
        }
    };
    quote! {
        #missing_trait
        #[allow(non_camel_case_types, dead_code)]
        struct #name {}
        impl<__T> ::testrig::__private::Named<__T> for #name {
            type Root = #root;
            const TAKES: bool = #takes;
        }
        #[allow(dead_code)]
        impl #name {
            #get
        }
    }
}

/// The type carrying what parameter `index`'s name found out of its lookup, for the plan.
pub fn resolved_ident(prefix: &str, index: usize) -> syn::Ident {
    syn::Ident::new(&format!("__testrig_{prefix}_{index}"), Span::call_site())
}

/// The item that says what the name found, into `carrier` (a unit struct the caller
/// defines beside it): `const _: () = { lookup: impl Resolved for carrier { .. } };`.
pub fn resolve_into(by_name: &ByName, carrier: &syn::Ident) -> TokenStream {
    let partial = None;
    let found = lookup(by_name, partial, |path| {
        quote! {
            impl ::testrig::__private::Resolved for #carrier {
                type Marker = #path;
            }
        }
    });
    quote! {
        #[allow(non_camel_case_types)]
        struct #carrier;
        const _: () = #found;
    }
}

/// The plan's root for a parameter whose name was resolved into `carrier`.
pub fn root_type(by_name: &ByName, carrier: &syn::Ident) -> syn::Type {
    let ty = param_type(by_name);
    syn::parse_quote! {
        <<#carrier as ::testrig::__private::Resolved>::Marker as ::testrig::__private::Named<#ty>>::Root
    }
}

/// The type the plan gives [`Named`]: the one its stand-in may take, else `()`.
pub fn param_type(by_name: &ByName) -> TokenStream {
    match &by_name.fallback {
        Fallback::ByType(ty) => quote!(#ty),
        Fallback::Missing => quote!(()),
    }
}

/// `root_meta::<carrier, T>()` or `taken_meta::<..>()`: what the name found, as metadata.
pub fn meta(function: &str, by_name: &ByName, carrier: &syn::Ident) -> TokenStream {
    let function = syn::Ident::new(function, Span::call_site());
    let ty = param_type(by_name);
    quote!(::testrig::__private::#function::<#carrier, #ty>())
}

/// The expression that makes the value, in an async context (`.await`) or a sync one
/// (polled once), from the stack `stack`: `graph::__testrig_get(stack)` or, with
/// `#[with(a, b)]`, `graph::__testrig_partial_2(stack, a, b)`.
pub fn value(by_name: &ByName, with: Option<&[syn::Expr]>, stack: &syn::Ident, in_async: bool) -> TokenStream {
    // Spanned at the name: what it found (or its stand-in) is reported there.
    let span = by_name.path.span();
    // The stack is the argument a stand-in's bound is reported at: spanned at the name too
    // (our local itself keeps our span: see expand/test.rs).
    let stack = quote_spanned!(span=> ::core::convert::identity(#stack));
    let call = lookup(by_name, with.map(<[syn::Expr]>::len), |path| match with {
        None => quote_spanned!(span=> #path::__testrig_get(#stack)),
        Some(args) => {
            let partial = format_ident!("__testrig_partial_{}", args.len(), span = span);
            quote_spanned!(span=> #path::#partial(#stack, #(#args),*))
        }
    });
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
