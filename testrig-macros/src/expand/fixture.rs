use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{ImplItem, Item, Signature, Type};

use crate::ast::{FixtureDef, FixtureSource, SetupFn};

/// The user's item (without our `#[options]` markers) plus the `Fixture` impl and the static
/// metadata the compile-time planner walks.
pub fn fixture(def: &FixtureDef) -> TokenStream {
    let krate = krate(def);
    // A fixture function is found by name (its type `graph`) and, when what it returns can be
    // held, also by type (the wrapper `Graph`, which sets up its value in the stack).
    // Its types go in a module of their own, re-exported with a glob (see `fixture_fn::module`).
    let marker = match (def.source, &def.setup) {
        (FixtureSource::Fn(function), Some(setup)) => {
            let (items, beside) = super::fixture_fn::marker(def, function, setup, &krate);
            let module = super::fixture_fn::module(function);
            let wrapper = def.wrapper.as_ref().map(|(ident, value)| wrapper(def, ident, value));
            let vis = &function.vis;
            quote! {
                #[doc(hidden)]
                #[allow(non_snake_case)]
                mod #module {
                    #[allow(unused_imports)]
                    use super::*;
                    #items
                    #wrapper
                }
                #[allow(unused_imports)]
                #vis use #module::*;
                #beside
            }
        }
        _ => TokenStream::new(),
    };
    let (Some(self_ty), Some(setup)) = (&def.self_ty, &def.setup) else {
        if !marker.is_empty() {
            let item = stripped_item(def);
            return quote!(#item #marker);
        }
        return fixture_fallback(def);
    };
    // testrig's own fixture for a type of another crate (`impl Fixture for sqlx::SqlitePool`):
    // its functions go inside the generated block, beside the impl they stand for.
    let (item, own_item) = match def.source {
        FixtureSource::Impl(impl_block) if impl_block.trait_.is_some() => {
            (TokenStream::new(), trait_impl_fns(impl_block))
        }
        _ => (stripped_item(def), TokenStream::new()),
    };
    let name = match (&def.source, self_ty) {
        // Another crate's type (`sqlx::SqlitePool`): named with its crate, as tests import it.
        (FixtureSource::Impl(impl_block), Type::Path(path)) if impl_block.trait_.is_some() => {
            crate::parse::path_text(&path.path)
        }
        _ => super::display_name(self_ty),
    };
    let id = self_ty.to_token_stream().to_string();
    let deps: Vec<TokenStream> = match def.source {
        // What the function needs is planned through its type.
        FixtureSource::Fn(function) => {
            let name = &function.sig.ident;
            let module = super::fixture_fn::module(function);
            vec![quote!(<#module::#name as #krate::Fixture>::META)]
        }
        FixtureSource::Impl(_) => setup
            .params
            .iter()
            .filter(|p| p.options.is_none() && !is_stack(def, p))
            .filter_map(|p| p.fixture_type())
            .map(|ty| {
                let krate = krate_at(def, ty.span());
                quote_spanned!(ty.span()=> <#ty as #krate::Fixture>::META)
            })
            .collect(),
    };
    // Without a configuration, the shared `no_options` instead of an instance per fixture type.
    let (config_ty, default_options) =
        match setup.params.iter().find(|p| p.options.is_some()).and_then(|p| p.fixture_type()) {
            Some(ty) => (ty.to_token_stream(), quote!(#krate::__private::default_options::<#self_ty>)),
            None => (quote!(()), quote!(#krate::__private::no_options)),
        };
    let call_path = match def.source {
        FixtureSource::Impl(impl_block) if impl_block.trait_.is_some() => quote!(setup),
        FixtureSource::Impl(_) => quote!(<#self_ty>::setup),
        FixtureSource::Fn(function) => function.sig.ident.to_token_stream(),
    };
    let setup_body = setup_body(def, setup, &call_path, &krate);
    let (teardown, teardown_async) = match def.teardown {
        Some(function) => (teardown_fn(&function.sig, self_ty, &krate), function.sig.asyncness.is_some()),
        None => (quote!(::core::option::Option::None), false),
    };
    let asynchronous = setup.sig.asyncness.is_some() || teardown_async;
    let krate_at_type = krate_at(def, self_ty.span());
    let check = quote_spanned!(self_ty.span()=>
        const _: () = #krate_at_type::__private::check_acyclic(<#self_ty as #krate_at_type::Fixture>::META);
    );
    // What testrig's own fixtures add: where users find them, their capabilities, and no
    // place in rustc's "other types implement `Fixture`" lists under a user's mistake.
    let built_in = def.options.built_in.as_ref();
    let module = built_in.map_or_else(|| quote!(::core::module_path!()), |built_in| built_in.module.to_token_stream());
    // A built-in fixture names every field (its capabilities among them); a user's leaves
    // the capabilities to `FixtureMeta::DEFAULT`, so a new one does not grow its expansion.
    let capabilities = match built_in {
        Some(built_in) => {
            let optional = |path: &Option<syn::Path>| match path {
                Some(path) => quote!(::core::option::Option::Some(#path)),
                None => quote!(::core::option::Option::None),
            };
            let (hook, prepare) = (optional(&built_in.scope_hook), optional(&built_in.prepare));
            let claims = match &built_in.claims {
                Some(claims) => quote!(#claims),
                None => quote!(#krate::__private::Claims::NONE),
            };
            let cloned = def.options.by_clone;
            quote!(scope_hook: #hook, prepare: #prepare, claims: #claims, cloned_by_value: #cloned,)
        }
        None => quote!(..#krate::__private::FixtureMeta::DEFAULT),
    };
    let not_recommended = built_in.map(|_| quote!(#[diagnostic::do_not_recommend]));
    let autouse = def.options.autouse.is_some();
    let crate_wide = def.options.autouse_crate;
    let by_value = def.options.by_value.map(|span| {
        let krate = krate_at(def, span);
        match def.options.by_clone {
            true => quote_spanned! {span=>
                impl #krate::__private::ByValue for #self_ty {
                    fn take_from(stack: &#krate::__private::FixtureStack) -> Self {
                        ::core::clone::Clone::clone(stack.get::<Self>())
                    }
                }
            },
            false => quote_spanned!(span=> impl #krate::__private::ByValue for #self_ty {}),
        }
    });
    // A clone is no exclusive use: the planner's "by value" checks skip it.
    let cloned = (def.options.by_clone && def.options.built_in.is_none()).then(|| quote!(cloned_by_value: true,));
    // `once::<T>()` requires `T: Send + Sync`, reported at `once` if the type is not.
    let once = match def.options.once {
        // `per_run::<T>()` requires `T: RunValue` (data), reported at the type if it is not.
        Some(span) if def.options.per_run && crate::features::Feature::Run.enabled() => {
            let krate = krate_at(def, span);
            let definition = definition_hash(&stripped_item(def));
            quote_spanned!(span=> #krate::__private::per_run::<#self_ty>(#definition, ::core::file!()))
        }
        Some(_) if def.options.per_run => quote!(::core::option::Option::None),
        Some(span) => {
            let krate = krate_at(def, span);
            quote_spanned!(span=> #krate::__private::once::<#self_ty>())
        }
        None => quote!(::core::option::Option::None),
    };
    // Only a `once` fixture has requirements to check: nothing is emitted for the others.
    let once_check = def.options.once.map(|_| {
        quote_spanned!(self_ty.span()=>
            const _: () = #krate_at_type::__private::check_once_requirements(<#self_ty as #krate_at_type::Fixture>::META);
        )
    });
    quote! {
        #item
        #marker
        const _: () = {
            static __TESTRIG_META: #krate::__private::FixtureMeta = #krate::__private::FixtureMeta {
                name: #name,
                id: ::core::concat!(::core::module_path!(), "::", #id),
                deps: &[#(#deps),*],
                setup: __testrig_setup,
                teardown: #teardown,
                asynchronous: #asynchronous,
                default_options: #default_options,
                once: #once,
                #cloned
                #capabilities
            };
            fn __testrig_setup(
                __testrig_stack: &dyn #krate::__private::Dependencies,
            ) -> #krate::__private::Step<'_, #krate::__private::Box<dyn #krate::__private::Any>> {
                #setup_body
            }
            #own_item
            #not_recommended
            impl #krate::Fixture for #self_ty {
                type Options = #config_ty;
                const META: #krate::__private::FixtureRef = #krate::__private::FixtureRef::new(&__TESTRIG_META);
            }
            #check
            #once_check
            #by_value
            #krate::__private::inventory::submit! {
                #krate::__private::RegisteredFixture {
                    fixture: &__TESTRIG_META,
                    module: #module,
                    file: ::core::file!(),
                    line: ::core::line!(),
                    autouse: #autouse,
                    crate_wide: #crate_wide,
                }
            }
        };
    }
}

/// The type a fixture function `scratch_dir` returning `V` is named by: `ScratchDir`,
/// dereferencing to the `V` it holds.
fn wrapper(def: &FixtureDef, ident: &syn::Ident, value: &Type) -> TokenStream {
    let FixtureSource::Fn(function) = def.source else { return TokenStream::new() };
    let vis = &super::fixture_fn::inner_vis(&function.vis);
    let doc = format!(
        "The fixture [`{}`]: tests take `&{ident}` (or `&mut {ident}`), which dereferences to what it returns.",
        function.sig.ident
    );
    quote! {
        #[doc = #doc]
        #vis struct #ident(pub(super) #value);
        impl #ident {
            /// What the fixture function returned.
            #[allow(dead_code)]
            #vis fn into_inner(self) -> #value {
                self.0
            }
        }
        impl ::core::ops::Deref for #ident {
            type Target = #value;
            fn deref(&self) -> &#value {
                &self.0
            }
        }
        impl ::core::ops::DerefMut for #ident {
            fn deref_mut(&mut self) -> &mut #value {
                &mut self.0
            }
        }
    }
}

fn setup_body(def: &FixtureDef, setup: &SetupFn, call_path: &TokenStream, krate: &TokenStream) -> TokenStream {
    let (Some(self_ty), wrapper) = (&def.self_ty, def.wrapper.as_ref().map(|(ident, _)| ident)) else {
        return TokenStream::new();
    };
    if let FixtureSource::Fn(function) = def.source {
        return delegated_setup(def, function, self_ty, wrapper, krate);
    }
    let args = setup.params.iter().map(|param| match (param.options, param.fixture_type()) {
        (Some(_), _) => quote!(__testrig_stack.options::<#self_ty>()),
        (None, _) if is_stack(def, param) => quote!(__testrig_stack),
        // Our local keeps our span (see expand/test.rs): the user's type may come from `macro_rules!`.
        (None, Some(ty)) => {
            let stack = syn::Ident::new("__testrig_stack", proc_macro2::Span::call_site());
            quote_spanned!(ty.span()=> #stack.get::<#ty>())
        }
        // Rejected by the checks; kept as a type error at the parameter rather than a panic.
        (None, None) => {
            let ty = &param.original.ty;
            quote_spanned!(ty.span()=> ::core::unreachable!())
        }
    });
    let call = quote!(#call_path(#(#args),*));
    let call = if setup.sig.asyncness.is_some() { quote!(#call.await) } else { call };
    let output = match (setup.output.is_fallible(), wrapper) {
        (true, None) => quote!(#krate::__private::setup_output::<#self_ty, _>(#call)),
        (true, Some(wrapper)) => {
            quote!(#krate::__private::setup_output::<#self_ty, _>(::core::result::Result::map(#call, #wrapper)))
        }
        // No error to convert: no `Infallible` conversion code for the compiler to make.
        (false, None) => quote!(#krate::__private::setup_value::<#self_ty>(#call)),
        (false, Some(wrapper)) => quote!(#krate::__private::setup_value::<#self_ty>(#wrapper(#call))),
    };
    if setup.sig.asyncness.is_some() {
        quote!(#krate::__private::Step::pending(async move { #output }))
    } else {
        quote!(#krate::__private::Step::Ready(#output))
    }
}

/// The wrapper's setup: the value its fixture function's type makes, held in the wrapper.
fn delegated_setup(
    def: &FixtureDef,
    function: &syn::ItemFn,
    self_ty: &Type,
    wrapper: Option<&syn::Ident>,
    krate: &TokenStream,
) -> TokenStream {
    let name = &function.sig.ident;
    let shown = name.to_string();
    let module = super::fixture_fn::module(function);
    let Some(wrapper) = wrapper else { return TokenStream::new() };
    let wrapper = quote!(#module::#wrapper);
    let fallible = def.setup.as_ref().is_some_and(|setup| setup.output.is_fallible());
    let wrap = |value: TokenStream| match fallible {
        true => quote!(#krate::__private::setup_output::<#self_ty, _>(::core::result::Result::map(#value, #wrapper))),
        false => quote!(#krate::__private::setup_value::<#self_ty>(#wrapper(#value))),
    };
    if function.sig.asyncness.is_some() {
        let value = wrap(quote!(#module::#name::__testrig_make(__testrig_stack).await));
        quote!(#krate::__private::Step::pending(async move { #value }))
    } else {
        let value = wrap(quote!(#krate::__private::now(#module::#name::__testrig_make(__testrig_stack), #shown)));
        quote!(#krate::__private::Step::Ready(#value))
    }
}

fn teardown_fn(sig: &Signature, self_ty: &Type, krate: &TokenStream) -> TokenStream {
    let call = quote!(<#self_ty>::teardown(#krate::__private::downcast::<#self_ty>(__testrig_instance)));
    let call = if sig.asyncness.is_some() { quote!(#call.await) } else { call };
    let output = match &sig.output {
        syn::ReturnType::Default => {
            quote!({ #call; ::core::result::Result::Ok(()) })
        }
        syn::ReturnType::Type(..) => quote!(#krate::__private::teardown_output(#call)),
    };
    let step = if sig.asyncness.is_some() {
        quote!(#krate::__private::Step::pending(async move { #output }))
    } else {
        quote!(#krate::__private::Step::Ready(#output))
    };
    quote! {{
        fn __testrig_teardown(
            __testrig_instance: #krate::__private::Box<dyn #krate::__private::Any>,
        ) -> #krate::__private::Step<'static, ()> {
            #step
        }
        ::core::option::Option::Some(__testrig_teardown)
    }}
}

/// On error: the user's item, plus a stand-in `Fixture` impl when the type is plain enough,
/// so tests using the fixture don't add "not a fixture" errors to the real ones.
pub fn fixture_fallback(def: &FixtureDef) -> TokenStream {
    let krate = krate(def);
    let item = stripped_item(def);
    let plain = match def.source {
        FixtureSource::Impl(item) => item.trait_.is_none() && item.generics.params.is_empty(),
        FixtureSource::Fn(function) => function.sig.generics.params.is_empty(),
    };
    // A wrapper that cannot be (its own error says why) would only add errors of rustc's.
    if def.wrapper_clash() {
        return item;
    }
    let wrapper = match (def.source, def.wrapper.as_ref()) {
        (FixtureSource::Fn(function), Some((ident, value))) => {
            let module = super::fixture_fn::module(function);
            let wrapper = wrapper(def, ident, value);
            let vis = &function.vis;
            quote! {
                mod #module {
                    #[allow(unused_imports)]
                    use super::*;
                    #wrapper
                }
                #[allow(unused_imports)]
                #vis use #module::*;
            }
        }
        _ => TokenStream::new(),
    };
    match &def.self_ty {
        Some(self_ty) if plain => quote! {
            #item
            #wrapper
            impl #krate::Fixture for #self_ty {
                type Options = ();
                const META: #krate::__private::FixtureRef = #krate::__private::FALLBACK_META;
            }
        },
        _ => item,
    }
}

/// A hash of a run fixture's definition — its package (cargo's `CARGO_PKG_NAME` for the crate
/// being compiled) and its tokens — which tells its instance apart in a run together with its
/// path in its crate: the test binaries of one package compiling one `tests/common/mod.rs`
/// share it; a copy of the same file in another package (whose `crate::` paths name other
/// things) does not. Every crate of a build is expanded by this one compiled macro, so std's
/// unkeyed hasher gives each the same hash for the same input.
fn definition_hash(item: &TokenStream) -> u64 {
    definition_hash_in(&std::env::var("CARGO_PKG_NAME").unwrap_or_default(), item)
}

fn definition_hash_in(package: &str, item: &TokenStream) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    (package, item.to_string()).hash(&mut hasher);
    hasher.finish()
}

/// The user's item with the `#[options]` markers removed from `setup`'s parameters, which
/// rustc would otherwise reject as unknown attributes.
fn stripped_item(def: &FixtureDef) -> TokenStream {
    let mut item = match def.source {
        FixtureSource::Impl(item) => Item::Impl(item.clone()),
        FixtureSource::Fn(function) => Item::Fn(function.clone()),
    };
    // A second `#[fixture]` is reported; left on the item, it would expand it again.
    match &mut item {
        Item::Impl(item) => item.attrs.retain(|attribute| !crate::ast::is_fixture_attribute(attribute)),
        Item::Fn(function) => function
            .attrs
            .retain(|attribute| !crate::ast::is_fixture_attribute(attribute) && !attribute.path().is_ident("once")),
        _ => {}
    }
    let sig = match &mut item {
        Item::Impl(item) => item.items.iter_mut().find_map(|impl_item| match impl_item {
            ImplItem::Fn(function) if function.sig.ident == "setup" => Some(&mut function.sig),
            _ => None,
        }),
        Item::Fn(function) => Some(&mut function.sig),
        _ => None,
    };
    if let Some(sig) = sig {
        super::by_name::plain_signature(sig, false);
    }
    item.into_token_stream()
}

/// The path testrig is found at: `::testrig`, or what `crate = ..` says.
fn krate(def: &FixtureDef) -> TokenStream {
    krate_at(def, proc_macro2::Span::call_site())
}

/// [`krate`] spanned at `span`, for a path rustc reports an error at (a const check, a
/// trait bound): the error then points at the user's type, not the attribute.
fn krate_at(def: &FixtureDef, span: proc_macro2::Span) -> TokenStream {
    match &def.options.krate {
        Some(path) => path.to_token_stream(),
        None => quote_spanned!(span=> ::testrig),
    }
}

/// A parameter `&dyn Dependencies` of one of testrig's own fixtures: the test's stack itself,
/// for a setup that depends on what else the test planned (the database's backend).
fn is_stack(def: &FixtureDef, param: &crate::ast::Param) -> bool {
    def.options.built_in.is_some()
        && matches!(crate::ast::ungrouped(&param.original.ty), Type::Reference(reference)
            if matches!(&*reference.elem, Type::TraitObject(_)))
}

/// The functions of `impl Fixture for Type { fn setup(..) }` (testrig's own fixtures of
/// other crates' types), as free functions.
fn trait_impl_fns(impl_block: &syn::ItemImpl) -> TokenStream {
    let functions = impl_block.items.iter().filter_map(|item| match item {
        ImplItem::Fn(function) => Some(syn::ItemFn {
            attrs: function.attrs.clone(),
            vis: syn::Visibility::Inherited,
            sig: function.sig.clone(),
            block: Box::new(function.block.clone()),
        }),
        _ => None,
    });
    quote!(#(#functions)*)
}

#[cfg(test)]
mod tests {
    use super::definition_hash_in;

    #[test]
    fn a_run_fixtures_definition_is_its_packages_and_its_codes() {
        let item = quote::quote!(impl Server { fn setup() -> Self { Server { url: crate::url() } } });
        let other = quote::quote!(impl Server { fn setup() -> Self { Server { url: crate::other_url() } } });
        assert_eq!(
            definition_hash_in("app", &item),
            definition_hash_in("app", &item),
            "one package's binaries share it"
        );
        assert_ne!(definition_hash_in("app", &item), definition_hash_in("worker", &item), "a copy in another package");
        assert_ne!(definition_hash_in("app", &item), definition_hash_in("app", &other), "other code at the same path");
    }
}
