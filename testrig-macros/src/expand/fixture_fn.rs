//! A fixture function's type of its own name (`struct graph {}` beside `fn graph`): what a
//! parameter `graph: G` finds by name (see [`super::by_name`]). It calls the function with
//! its arguments — `&T` from the test's stack, by-value ones other fixture functions by name,
//! `#[default(v)]` ones `v`, the first ones given by a test's `#[with(..)]` — and is planned
//! as a fixture that sets up nothing, so its test plans what the function takes by
//! reference.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{FixtureDef, Kind, SetupFn};
use crate::expand::by_name;

/// The module of the function's types: [`crate::ast::fixture_module`].
pub fn module(function: &syn::ItemFn) -> syn::Ident {
    crate::ast::fixture_module(&function.sig.ident)
}

/// The visibility in the module of an item as visible as the function is beside it.
pub fn inner_vis(vis: &syn::Visibility) -> TokenStream {
    match vis {
        syn::Visibility::Public(_) => quote!(pub),
        syn::Visibility::Inherited => quote!(pub(super)),
        syn::Visibility::Restricted(restricted) => {
            let path = &restricted.path;
            if path.is_ident("crate") {
                quote!(pub(crate))
            } else if path.is_ident("self") {
                quote!(pub(super))
            } else if path.is_ident("super") {
                quote!(pub(in super::super))
            } else if path.segments.first().is_some_and(|segment| segment.ident == "crate") {
                quote!(pub(in #path))
            } else {
                quote!(pub(crate))
            }
        }
    }
}

/// What goes in the function's module (the type `graph` and its functions) and what stays
/// beside the function (its `Fixture` impl and metadata, naming it by its module's path).
pub fn marker(
    def: &FixtureDef,
    function: &syn::ItemFn,
    setup: &SetupFn,
    krate: &TokenStream,
) -> (TokenStream, TokenStream) {
    let name = &function.sig.ident;
    let vis = &inner_vis(&function.vis);
    let module = module(function);
    let shown = name.to_string();
    let stack = syn::Ident::new("__testrig_stack", Span::call_site());
    let output = match &function.sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    let generics = &function.sig.generics.params;
    let where_clause = &function.sig.generics.where_clause;
    let once = def.options.once.is_some();
    let value = if once { quote!(&'static #output) } else { output.clone() };
    let wrapper = def.wrapper.as_ref().map(|(wrapper, _)| wrapper);

    // `__testrig_get` gives none of the arguments; `__testrig_partial_N` the first N.
    let count = setup.params.len();
    let gets = (0..=count).map(|given| {
        let mut lets = Vec::new();
        let mut args = Vec::new();
        let mut with_params = Vec::new();
        for (index, param) in setup.params.iter().enumerate() {
            if index < given {
                let arg = format_ident!("__testrig_with_{}", index);
                let ty = &param.original.ty;
                with_params.push(quote!(#arg: #ty));
                args.push(quote!(#arg));
                continue;
            }
            args.push(match (&param.kind, param.options, param.fixture_type()) {
                (_, Some(_), _) => match wrapper {
                    Some(wrapper) => quote!(#stack.options::<#wrapper>()),
                    None => quote!(::core::unreachable!()),
                },
                (Kind::Default, _, _) => match &param.marks.default {
                    Some((_, value)) => quote!(#value),
                    None => quote!(::core::unreachable!()),
                },
                (Kind::ByName(named), _, _) => {
                    let local = format_ident!("__testrig_value_{}", index);
                    let with = param.marks.with.as_ref().map(|(_, args)| args.as_slice());
                    let carrier = by_name::resolved_ident("dep", index);
                    let made = by_name::value(named, &quote!(#carrier), with, &stack, true);
                    lets.push(quote!(let mut #local = #made;));
                    by_name::argument(named.form, &local)
                }
                // Our local keeps our span (see expand/test.rs): the type may come from `macro_rules!`.
                (_, None, Some(ty)) => quote_spanned!(ty.span()=> #stack.get::<#ty>()),
                // Rejected by the checks.
                _ => quote!(::core::unreachable!()),
            });
        }
        let call =
            if function.sig.asyncness.is_some() { quote!(#name(#(#args),*).await) } else { quote!(#name(#(#args),*)) };
        let made = quote! {
            #[allow(unused_mut)]
            {
                #(#lets)*
                #call
            }
        };
        // `__testrig_make` makes a value; `__testrig_get` is that, or, for a once fixture
        // function, the process's one value.
        let (fn_name, value) = match given {
            0 => (format_ident!("__testrig_make"), &output),
            _ => (format_ident!("__testrig_partial_{}", given), &output),
        };
        quote! {
            #[doc(hidden)]
            #[allow(dead_code, clippy::unused_async)]
            #vis async fn #fn_name<#generics>(
                #stack: &dyn #krate::__private::Dependencies,
                #(#with_params),*
            ) -> #value #where_clause {
                #made
            }
        }
    });
    let get = if once {
        quote! {
            static __TESTRIG_ONCE: #krate::__private::OnceByName<#output> = #krate::__private::OnceByName::new();
            __TESTRIG_ONCE.get_or_make(|| #name::__testrig_make(#stack)).await
        }
    } else {
        quote!(#name::__testrig_make(#stack).await)
    };
    let get = quote! {
        #[doc(hidden)]
        #[allow(dead_code)]
        #vis async fn __testrig_get<#generics>(#stack: &dyn #krate::__private::Dependencies) -> #value #where_clause {
            #get
        }
    };

    // What the plan needs: the `&T` arguments' fixtures, and the fixture functions named.
    let mut resolved = Vec::new();
    let mut deps = Vec::new();
    for (index, param) in setup.params.iter().enumerate() {
        match (&param.kind, param.options, param.fixture_type()) {
            (_, Some(_), _) => {}
            (Kind::ByName(named), _, _) => {
                let carrier = by_name::resolved_ident("dep", index);
                resolved.push(by_name::resolve_into(named, &carrier, quote!(pub(super))));
                deps.push(by_name::meta("root_meta", named, &quote!(#module::#carrier)));
            }
            (_, None, Some(ty)) => deps.push(quote_spanned!(ty.span()=> <#ty as #krate::Fixture>::META)),
            _ => {}
        }
    }
    // A once fixture function's planned type is once too: a once fixture may require it.
    let once_meta = match once {
        true => quote!(#krate::__private::once::<::core::marker::PhantomData<#module::#name>>()),
        false => quote!(::core::option::Option::None),
    };
    let doc = format!("The fixture function [`{name}`] as a test finds it by name (`{name}: T`)");
    let items = quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        impl #name {
            #get
            #(#gets)*
        }
        #(#resolved)*
    };
    let beside = quote! {
        const _: () = {
            static __TESTRIG_META: #krate::__private::FixtureMeta = #krate::__private::FixtureMeta {
                name: #shown,
                id: ::core::concat!(::core::module_path!(), "::", #shown, "()"),
                deps: &[#(#deps),*],
                setup: #krate::__private::marker_setup::<#module::#name>,
                once: #once_meta,
                ..#krate::__private::FixtureMeta::DEFAULT
            };
            impl #krate::Fixture for #module::#name {
                type Options = ();
                const META: #krate::__private::FixtureRef = #krate::__private::FixtureRef::new(&__TESTRIG_META);
            }
            impl<__T> #krate::__private::Named<__T> for #module::#name {
                type Root = #module::#name;
                const TAKES: bool = false;
            }
            const _: () = #krate::__private::check_acyclic(<#module::#name as #krate::Fixture>::META);
        };
    };
    (items, beside)
}
