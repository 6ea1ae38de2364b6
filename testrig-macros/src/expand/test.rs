use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::Attribute;

use crate::ast::{Access, Kind, TestFn};
use crate::attr::OurAttribute;
use crate::expand::roots::BuiltTest;
use crate::parse::conf::ConfAttr;
use crate::parse::test_options::Flavor;

/// The most root fixtures whose plan is shared through `Roots` (the runtime implements it for
/// tuples up to this length); a test with more walks its own. Tied to the runtime by
/// `tests::the_runtime_has_what_the_expansion_names`.
const MAX_SHARED_ROOTS: usize = 12;

/// The most parameters of a sync test whose body is a shim shared per signature (the runtime
/// has `shared_body_0` to this). Tied as [`MAX_SHARED_ROOTS`] is.
const MAX_SHARED_BODY: usize = 6;

/// `module::name` of a test function, as the harness names it: the module path is known only
/// to rustc, the name is known here (no `stringify!` per test for rustc to expand).
fn qualified_name(ident: &Ident) -> TokenStream {
    let suffix = syn::LitStr::new(&format!("::{ident}"), Span::call_site());
    quote!(::core::concat!(::core::module_path!(), #suffix))
}

/// A `#[test]` wrapper that hands the user's function, kept intact inside it, to
/// `::testrig::__private::run` along with the compile-time plan. With `#[case]` rows or
/// `#[values]`, a module of that name instead: the user's function once, and per case a thin
/// `#[test]` shim that calls it with the case's values.
pub fn test(test: &BuiltTest) -> TokenStream {
    let original = test.original;
    let ident = &original.sig.ident;
    let vis = &original.vis;
    let (lint_attrs, outer_attrs): (Vec<&Attribute>, Vec<&Attribute>) =
        test.kept_attrs.iter().partition(|attribute| crate::ast::is_lint(attribute));
    let mut inner = original.clone();
    inner.attrs = lint_attrs.into_iter().cloned().collect();
    inner.vis = syn::Visibility::Inherited;
    super::by_name::plain_signature(&mut inner.sig, test.awaits_every_future());

    let root_types: Vec<syn::Type> = crate::expand::roots::types(test, &test.implied);
    // What each by-name parameter's name found, carried out to the plan.
    let resolved: Vec<TokenStream> = test
        .params
        .iter()
        .enumerate()
        .filter_map(|(index, param)| {
            let carrier = super::by_name::resolved_ident("param", index);
            param.by_name().map(|by_name| super::by_name::resolve_into(by_name, &carrier, TokenStream::new()))
        })
        .collect();
    let roots: Vec<TokenStream> =
        root_types.iter().map(|ty| quote_spanned!(ty.span()=> <#ty as ::testrig::Fixture>::META)).collect();
    let plan_ty = quote!(&[::testrig::__private::FixtureRef]);
    let plan = if shares_a_shim(test) {
        // Its plan comes with its body, from the shim (`test_value`).
        TokenStream::new()
    } else if roots.is_empty() {
        quote!(const __TESTRIG_PLAN: #plan_ty = &[];)
    } else if root_types.len() <= MAX_SHARED_ROOTS && test.written_at(OurAttribute::PoisonDb).is_none() {
        // Walked once per distinct tuple of root types, shared by the tests naming them.
        // Spanned at the first root type: a root that is no fixture is then reported there,
        // once, as its parameter already reports it.
        let span = root_types[0].span();
        quote_spanned!(span=> const __TESTRIG_PLAN: #plan_ty = <(#(#root_types,)*) as ::testrig::__private::Roots>::PLAN;)
    } else {
        quote! {
            const __TESTRIG_ROOTS: &[::testrig::__private::FixtureRef] = &[#(#roots),*];
            // One walk, evaluated once: its length sizes the plan, its order fills it.
            const __TESTRIG_WALKED: ::testrig::__private::Walked = ::testrig::__private::walked(__TESTRIG_ROOTS);
            static __TESTRIG_PLAN_ARRAY: [::testrig::__private::FixtureRef; __TESTRIG_WALKED.len()] = __TESTRIG_WALKED.to_plan();
            const __TESTRIG_PLAN: #plan_ty = &__TESTRIG_PLAN_ARRAY;
        }
    };
    let mut checks = match test.written_at(OurAttribute::PoisonDb) {
        Some(span) if !roots.is_empty() => {
            quote_spanned!(span=> const _: () = ::testrig::__private::check_refusal(__TESTRIG_ROOTS, &::testrig::__private::POISON_DB);)
        }
        _ => TokenStream::new(),
    };
    // `&mut T` and `T` taken: the test must be the only user of `T`. Only the parameters
    // count as naming it again: `#[with(T = ..)]` configures the same instance.
    let param_roots: Vec<TokenStream> = test
        .params
        .iter()
        .enumerate()
        .filter_map(|(index, param)| match (param.fixture_type(), param.by_name()) {
            (Some(ty), _) => Some(quote_spanned!(ty.span()=> <#ty as ::testrig::Fixture>::META)),
            (None, Some(by_name)) => {
                let carrier = super::by_name::resolved_ident("param", index);
                Some(super::by_name::meta("root_meta", by_name, &quote!(#carrier)))
            }
            (None, None) => None,
        })
        .collect();
    for (index, param) in test.params.iter().enumerate() {
        match (param.fixture_access(), param.by_name()) {
            (Some((ty, Access::Exclusive)), _) => checks.extend(quote_spanned!(ty.span()=>
                const _: () = ::testrig::__private::check_exclusive(
                    __TESTRIG_PLAN, &[#(#param_roots),*], <#ty as ::testrig::Fixture>::META, "as `&mut`",
                );
            )),
            // A name that found no fixture function: the `#[fixture(by_value)]` type, taken.
            (None, Some(by_name)) if matches!(by_name.fallback, crate::ast::Fallback::ByType(_)) => {
                let carrier = super::by_name::resolved_ident("param", index);
                let span = param.original.ty.span();
                let ty = super::by_name::param_type(by_name);
                let meta = super::by_name::meta("root_meta", by_name, &quote!(#carrier));
                checks.extend(quote_spanned!(span=>
                    const _: () = if <<#carrier as ::testrig::__private::Resolved>::Marker as ::testrig::__private::Named<#ty>>::TAKES {
                        ::testrig::__private::check_taken(__TESTRIG_PLAN, &[#(#param_roots),*], #meta);
                    };
                ));
            }
            _ => {}
        }
    }
    // Fixtures are taken by reference whatever their size, and `&mut` whether or not the body
    // mutates. Only under clippy: a lint attribute per test costs every build its own lint
    // scope (benches/compare_build.sh), and these lints are clippy's.
    let inner = quote! {
        #[cfg_attr(clippy, allow(clippy::needless_pass_by_ref_mut, clippy::trivially_copy_pass_by_ref))]
        #inner
    };

    if !test.has_cases() {
        let call = if shares_a_shim(test) && fields(test, &TokenStream::new()).is_empty() {
            // Nothing but fixtures: the wrapper is one call of the shim for its signature.
            let name = qualified_name(ident);
            shim_call(test, "shared_run", quote!(#name, #ident))
        } else {
            let value = test_value(test, qualified_name(ident), None);
            quote!(::testrig::__private::run(#value))
        };
        return quote! {
            #(#outer_attrs)*
            // Outside `cfg(test)` (doctests, examples run as binaries) the wrapper stays a plain
            // function the caller can run, where `#[test]` would remove it. The harness's
            // `#[test]` is named through `testrig`, and outside `cfg(test)` the marker is: see
            // `uses_the_prelude` (both cost nothing beyond the attribute itself).
            #[cfg_attr(test, ::core::prelude::v1::test)]
            #[cfg_attr(not(test), allow(dead_code))]
            #vis fn #ident() {
                #inner
                #(#resolved)*
                #plan
                #checks
                #call
            }
        };
    }
    let cases = super::cases::cases(test);
    // A generic test is instantiated per case: a `Test` per case, its values written out.
    let (values, shared) = if test.is_generic() {
        let values = cases.iter().map(|case| {
            let bindings = super::cases::fixed_bindings(test, case.index);
            let value = test_value(test, quote!(""), Some(&bindings));
            let name = quote::format_ident!("__TESTRIG_TEST_{}", case.index);
            quote!(static #name: ::testrig::__private::Test = #value;)
        });
        (values.collect::<Vec<_>>(), false)
    } else {
        let bindings = super::cases::bindings(test);
        // Each case names itself (`run_case`): the shared value needs no name.
        let value = test_value(test, quote!(""), Some(&bindings));
        (vec![quote!(static __TESTRIG_TEST: ::testrig::__private::Test = #value;)], true)
    };
    let mut tree = CaseTree::default();
    for case in &cases {
        let depth = case.path.len() - 1;
        let Some(name) = case.path.last() else { continue };
        let qualified = qualified_name(name);
        let index = case.index;
        let case_attrs = &case.attrs;
        let supers = std::iter::repeat_n(quote!(super::), depth);
        let test_static = match shared {
            true => quote!(__TESTRIG_TEST),
            false => quote::format_ident!("__TESTRIG_TEST_{}", index).to_token_stream(),
        };
        let expects_panic = case.attrs.iter().any(|attribute| is_should_panic(attribute));
        let run = match (case.timeout, expects_panic) {
            (None, false) => quote!(::testrig::__private::run_case(&#(#supers)* #test_static, #qualified, #index)),
            (timeout, _) => {
                let timeout = match timeout {
                    Some(timeout) => quote!(::core::option::Option::Some(#timeout)),
                    None => quote!(::core::option::Option::None),
                };
                quote!(::testrig::__private::run_case_as(&#(#supers)* #test_static, #qualified, #index, #timeout, #expects_panic))
            }
        };
        tree.insert(
            &case.path[..depth],
            quote! {
                #(#outer_attrs)*
                #(#case_attrs)*
                #[cfg_attr(test, ::core::prelude::v1::test)]
                pub fn #name() {
                    #run
                }
            },
        );
    }
    let shims = tree.into_tokens();
    quote! {
        // Outside `cfg(test)` the cases stay functions the caller can run (see above); said once
        // here rather than on each case, as is that their names are rstest's (`case_1_Camel`).
        #[cfg_attr(not(test), allow(dead_code))]
        #[allow(non_snake_case)]
        #vis mod #ident {
            #[allow(unused_imports)]
            use super::*;
            #inner
            #(#resolved)*
            #plan
            #checks
            #(#values)*
            #shims
        }
    }
}

/// The cases' functions in modules as rstest nests them (`case_1::x_1_1::y_2_b`), each
/// module in the order its first case comes.
#[derive(Default)]
struct CaseTree {
    modules: Vec<(Ident, CaseTree)>,
    functions: Vec<TokenStream>,
}

impl CaseTree {
    fn insert(&mut self, path: &[Ident], function: TokenStream) {
        let Some((first, rest)) = path.split_first() else {
            self.functions.push(function);
            return;
        };
        let at = match self.modules.iter().position(|(name, _)| name == first) {
            Some(at) => at,
            None => {
                self.modules.push((first.clone(), CaseTree::default()));
                self.modules.len() - 1
            }
        };
        self.modules[at].1.insert(rest, function);
    }

    fn into_tokens(self) -> TokenStream {
        let functions = self.functions;
        let modules = self.modules.into_iter().map(|(name, tree)| {
            let inner = tree.into_tokens();
            quote! {
                pub mod #name {
                    #inner
                }
            }
        });
        quote!(#(#functions)* #(#modules)*)
    }
}

/// The `Test` value of a test whose name is `name` (a `&str` expression of its
/// `module::test` path): its plan, its body calling the user's function with its fixtures — and, for
/// a parametrized test, with the running case's values, which `bindings` decode.
fn test_value(test: &BuiltTest, name: TokenStream, bindings: Option<&super::cases::Bindings>) -> TokenStream {
    let original = test.original;
    let ident = &original.sig.ident;
    if shares_a_shim(test) {
        // The plan walked once per tuple of root types and one shim per signature, shared by
        // the tests of that signature: no plan item and no body function per test.
        let shared = shim_call(test, "shared_body", quote!(#ident));
        let fields = fields(test, &TokenStream::new());
        return quote! {{
            let (__testrig_plan, __testrig_body) = #shared;
            ::testrig::__private::Test {
                name: #name,
                plan: __testrig_plan,
                body: __testrig_body,
                #(#fields)*
                ..::testrig::__private::Test::DEFAULT
            }
        }};
    }
    // The n-th case parameter is `__testrig_arg_n`, bound by `bindings`; a fixture
    // function's value `__testrig_named_n`, bound by `named`.
    let stack = Ident::new("__testrig_stack", Span::call_site());
    let mut case_params = 0_usize..;
    let mut made = Vec::new();
    let args: Vec<TokenStream> = test
        .params
        .iter()
        .enumerate()
        .map(|(index, param)| match (param.fixture_access(), &param.kind) {
            // The local keeps our span, the call the type's: inside `macro_rules!` the user's
            // tokens carry another hygiene context, where our local would not resolve.
            (Some((ty, access)), _) => match access {
                Access::Shared => quote_spanned!(ty.span()=> #stack.get::<#ty>()),
                Access::Exclusive => quote_spanned!(ty.span()=> #stack.get_mut::<#ty>()),
            },
            (None, Kind::ByName(by_name)) => {
                let local = quote::format_ident!("__testrig_named_{}", index);
                let with = param.marks.with.as_ref().map(|(_, args)| args.as_slice());
                let carrier = super::by_name::resolved_ident("param", index);
                let value = super::by_name::value(by_name, &quote!(#carrier), with, &stack, test.is_async());
                made.push(quote!(#[allow(unused_mut)] let mut #local = #value;));
                super::by_name::argument(by_name.form, &local)
            }
            (None, Kind::Context) => {
                let name = ident.to_string();
                let rows = test.cases.iter().map(|row| match &row.name {
                    Some(name) => {
                        let name = name.to_string();
                        quote!(::core::option::Option::Some(#name))
                    }
                    None => quote!(::core::option::Option::None),
                });
                let per_row = super::cases::per_row(test);
                quote!(::testrig::__private::context(::core::module_path!(), #name, &[#(#rows),*], #per_row))
            }
            _ => {
                let arg = quote::format_ident!("__testrig_arg_{}", case_params.next().unwrap_or_default());
                quote!(#arg)
            }
        })
        .collect();
    if test.traces() {
        made.push(trace(test, &args));
    }
    let output_span = output_span(original);
    // Spanned at the return type, so an unsupported one is reported there.
    let into_outcome = quote_spanned!(output_span=> ::testrig::TestOutcome::into_outcome);
    let call = if test.is_async() {
        quote_spanned!(output_span=> #ident(#(#args),*).await)
    } else {
        quote_spanned!(output_span=> #ident(#(#args),*))
    };
    let (hidden, named) = match bindings {
        Some(bindings) => (bindings.hidden.clone(), bindings.named.clone()),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let body = if test.is_async() {
        quote! {
            fn __testrig_body(
                __testrig_stack: &::testrig::__private::FixtureStack,
            ) -> ::testrig::__private::BodyFuture<'_> {
                #hidden
                ::testrig::__private::Box::pin(async move {
                    #(#made)*
                    #into_outcome(#call)
                })
            }
            ::testrig::__private::Body::Async(__testrig_body)
        }
    } else {
        quote! {
            fn __testrig_body(__testrig_stack: &::testrig::__private::FixtureStack) -> ::testrig::__private::Outcome {
                #hidden
                #(#made)*
                #into_outcome(#call)
            }
            ::testrig::__private::Body::Sync(__testrig_body)
        }
    };
    let mut fields = fields(test, &named);
    if bindings.is_some() {
        let function = ident.to_string();
        fields.push(quote!(parametrized: ::core::option::Option::Some(#function),));
    }
    quote! {
        ::testrig::__private::Test {
            name: #name,
            plan: __TESTRIG_PLAN,
            body: { #body },
            #(#fields)*
            ..::testrig::__private::Test::DEFAULT
        }
    }
}

/// rstest's `#[trace]`: each argument but the `#[notrace]` ones printed with `Debug` before the
/// body, as rstest prints them.
fn trace(test: &BuiltTest, args: &[TokenStream]) -> TokenStream {
    let lines = test.params.iter().zip(args).filter_map(|(param, arg)| {
        if param.marks.notrace.is_some() || matches!(param.fixture_access(), Some((_, Access::Exclusive))) {
            return None;
        }
        let name = quote::ToTokens::to_token_stream(&param.original.pat).to_string();
        Some(quote!(::std::println!("{} = {:?}", #name, &#arg);))
    });
    quote! {
        ::std::println!("------------ TEST ARGUMENTS ------------");
        #(#lines)*
        ::std::println!("-------------- TEST START --------------");
    }
}

/// Where an unsupported return type is reported: the return type, else the function's name.
fn output_span(original: &syn::ItemFn) -> Span {
    match &original.sig.output {
        syn::ReturnType::Default => original.sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    }
}

/// A call of the runtime's shim `<kind>_<arity>` for the test's fixture types, with `args`:
/// spanned at the return type, so an unsupported one is reported there, while each fixture
/// type keeps its own span.
fn shim_call(test: &BuiltTest, kind: &str, args: TokenStream) -> TokenStream {
    let shim = quote::format_ident!("{kind}_{}", test.params.len());
    let types = test.params.iter().filter_map(|param| param.fixture_type());
    let span = output_span(test.original);
    quote_spanned!(span=> ::testrig::__private::#shim::<#(#types,)* _>(#args))
}

/// Whether the test's plan and body come from a shim shared per signature: a sync test
/// without cases whose parameters, all fixtures, are its only roots.
fn shares_a_shim(test: &BuiltTest) -> bool {
    !test.is_async()
        && !test.has_cases()
        && test.implied.is_empty()
        && test.written_at(OurAttribute::PoisonDb).is_none()
        && test.params.len() <= MAX_SHARED_BODY
        && test
            .params
            .iter()
            .all(|param| matches!(param.fixture_access(), Some((_, Access::Shared))) && !param.is_case_value())
}

/// The fields of `Test` this test sets beyond the defaults; `bindings` (a case's values, by
/// parameter name) come first in the functions that evaluate `#[conf]` and `#[with]` values.
fn fields(test: &BuiltTest, bindings: &TokenStream) -> Vec<TokenStream> {
    let configs: Vec<TokenStream> = test
        .implied
        .iter()
        .filter_map(|root| {
            let ty = &root.ty;
            let value = root.options.as_ref()?;
            Some(quote_spanned!(value.span()=> ::testrig::__private::options::<#ty>(#value)))
        })
        .collect();
    let mut fields = Vec::new();
    let (hooks, names) = on_enter(test, bindings);
    if !names.is_empty() {
        // Paths of functions: the list is promoted to `'static`, also inside a function.
        fields.push(quote!(on_enter: { #(#hooks)* &[#(#names),*] },));
    }
    let exclusive: Vec<TokenStream> = test
        .params
        .iter()
        .enumerate()
        .filter_map(|(index, param)| match (param.fixture_access(), param.by_name()) {
            (Some((ty, Access::Exclusive)), _) => Some(quote_spanned!(ty.span()=> <#ty as ::testrig::Fixture>::META)),
            (None, Some(by_name)) if matches!(by_name.fallback, crate::ast::Fallback::ByType(_)) => {
                let carrier = super::by_name::resolved_ident("param", index);
                Some(super::by_name::meta("taken_meta", by_name, &quote!(#carrier)))
            }
            _ => None,
        })
        .collect();
    if !exclusive.is_empty() {
        // A `const` block: `taken_meta` is a call, which a plain `&[..]` would not make 'static.
        fields.push(quote!(exclusive: const { &[#(#exclusive),*] },));
    }
    if test.options.no_autouse.is_some() {
        fields.push(quote!(autouse: false,));
    }
    // Written for every case, or for the test: its panic is expected.
    if test.kept_attrs.iter().any(|attribute| is_should_panic(attribute)) {
        fields.push(quote!(expects_panic: true,));
    }
    if test.options.allow_leaks.is_some() {
        fields.push(quote!(allow_leaks: true,));
    }
    fields.extend(test.written.iter().filter_map(|written| (written.kind.row().field)(&written.value)));
    if !configs.is_empty() {
        fields.push(quote!(configs: {
            fn __testrig_configs() -> ::testrig::__private::Configs {
                #bindings
                ::testrig::__private::Vec::from([#(#configs),*])
            }
            __testrig_configs
        },));
    }
    if let Some((true, _)) = test.options.start_paused {
        fields.push(quote!(flavor: ::testrig::__private::Flavor::CurrentThreadPaused,));
    }
    if let Some((Flavor::MultiThread, _)) = test.options.flavor {
        let workers = match test.options.worker_threads {
            Some((count, _)) => quote!(::core::option::Option::Some(#count)),
            None => quote!(::core::option::Option::None),
        };
        fields.push(quote!(flavor: ::testrig::__private::Flavor::MultiThread { worker_threads: #workers },));
    }
    fields
}

/// What the test's attributes do once its scope is entered, in this order: `#[env]` sets its
/// variables (held until after the last teardown), `#[conf]` installs its overrides,
/// `#[poison_db]` poisons the scope. The functions to define, and the hooks by name.
fn on_enter(test: &BuiltTest, bindings: &TokenStream) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut hooks = Vec::new();
    let mut names = Vec::new();
    let env = test.env();
    if !env.is_empty() {
        let changes = env.iter().map(|entry| {
            let key = &entry.key;
            let value = match &entry.value {
                Some(value) => quote!(::core::option::Option::Some(#value)),
                None => quote!(::core::option::Option::None),
            };
            quote!((#key, #value))
        });
        hooks.push(quote! {
            fn __testrig_env() -> ::testrig::__private::Held {
                ::testrig::__private::set_env(&[#(#changes),*])
            }
        });
        names.push(quote!(__testrig_env));
    }
    let confs = test.confs();
    if !confs.is_empty() {
        let test_name = test.original.sig.ident.to_string();
        let layers = confs.iter().map(|conf| conf_layer(conf, bindings, &test_name));
        hooks.push(quote! {
            fn __testrig_conf() -> ::testrig::__private::Held {
                #(#layers)*
                ::core::option::Option::None
            }
        });
        names.push(quote!(__testrig_conf));
    }
    if test.written_at(OurAttribute::PoisonDb).is_some() {
        names.push(quote!(::testrig::__private::poison_current_scope));
    }
    (hooks, names)
}

/// One `#[conf(..)]` as a layer: `conf_layer(&CONF, |c| { assign(&mut c.a.b, value); .. })`.
/// The field paths and values keep the user's spans, so rustc reports an unknown field or a
/// value of the wrong type at the attribute's tokens.
/// `bindings` (a case's values) are evaluated inside the layer, which outlives the function.
///
/// Each also registers, at compile time, that `test` overrides that conf: an unnamed thread
/// outside every test cannot read such a conf (`Conf::get`), whatever runs at the moment.
fn conf_layer(conf: &ConfAttr, bindings: &TokenStream, test: &str) -> TokenStream {
    let target = match &conf.target {
        Some(path) => path.to_token_stream(),
        None => {
            let span = conf.span;
            quote_spanned!(span=> CONF)
        }
    };
    let assignments = conf.assignments.iter().map(|assign| {
        let field = &assign.field;
        let value = &assign.value;
        // Our closure's parameter keeps our span; the value and field path the user's.
        let conf = Ident::new("__testrig_conf", Span::call_site());
        quote_spanned!(value.span()=> ::testrig::__private::assign(&mut #conf.#(#field).*, #value);)
    });
    let target_span = match &conf.target {
        Some(path) => path.span(),
        None => conf.span,
    };
    let require = quote_spanned!(target_span=> ::testrig::__private::require_conf(&#target););
    quote! {
        #require
        ::testrig::__private::inventory::submit! {
            ::testrig::__private::OverriddenConf::new(&#target, ::core::concat!(::core::module_path!(), "::", #test))
        }
        ::testrig::__private::conf_layer(&#target, |__testrig_conf| { #bindings #(#assignments)* });
    }
}

/// `#[should_panic]`, or `#[cfg_attr(.., should_panic ..)]`.
fn is_should_panic(attribute: &Attribute) -> bool {
    attribute.path().is_ident("should_panic")
        || (attribute.path().is_ident("cfg_attr")
            && attribute.meta.to_token_stream().to_string().contains("should_panic"))
}

/// On error: the user's function as written (minus our attributes), so rust-analyzer keeps
/// working inside it and rustc reports only our errors.
pub fn test_fallback(test: &TestFn) -> TokenStream {
    let mut item = test.original.clone();
    item.attrs = test.kept_attrs.iter().map(|attribute| (*attribute).clone()).collect();
    // `#[options]` and `#[values]` are ours; left on a parameter, rustc would add "cannot
    // find attribute".
    super::by_name::plain_signature(&mut item.sig, test.awaits_every_future());
    let item = item.into_token_stream();
    quote! {
        #[allow(dead_code)]
        #item
    }
}

#[cfg(test)]
mod tests {
    /// The runtime implements `Roots` for tuples of 1 to [`super::MAX_SHARED_ROOTS`] and has
    /// `shared_body_0` to `shared_body_{MAX_SHARED_BODY}`: the two crates agree, or this fails.
    /// (A proc-macro crate cannot depend on the runtime, which depends on it: the numbers are
    /// read off the runtime's source, which sits beside this crate in the repository.)
    #[test]
    fn the_runtime_has_what_the_expansion_names() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testrig-runtime/src");
        let Ok(plan) = std::fs::read_to_string(root.join("core/plan.rs")) else {
            // Built from a published package: the runtime's source is not beside it.
            return;
        };
        let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
        let tuples = plan.lines().filter(|line| line.starts_with("roots_of_tuples!(")).count();
        assert_eq!(tuples, super::MAX_SHARED_ROOTS, "tuples the runtime implements `Roots` for");
        let bodies = (0..).take_while(|n| lib.contains(&format!("shared_body_{n} shared_run_{n}("))).count();
        assert_eq!(bodies, super::MAX_SHARED_BODY + 1, "shared_body_0 to shared_body_{}", super::MAX_SHARED_BODY);
    }
}
