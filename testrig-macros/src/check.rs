//! Semantic checks on the IR. Every problem is recorded in the `Ctxt`; none stops the
//! others, so one build shows all of them.

use quote::ToTokens;
use syn::{FnArg, Generics, Signature, Type};

use crate::ast::{FixtureDef, FixtureSource, Kind, Output, Param, SetupFn, TestFn};
use crate::attr::OurAttribute::{Database, Databases, PoisonDb};
use crate::attr::Parsed;
use crate::ctxt::Ctxt;
use crate::messages;
use crate::parse::database::BackendName;

pub fn fixture(def: &FixtureDef, cx: &Ctxt) {
    let attrs = match def.source {
        FixtureSource::Impl(item) => &item.attrs,
        FixtureSource::Fn(item) => &item.attrs,
    };
    // The one being expanded is gone from the item: any left is a second.
    for attribute in attrs.iter().filter(|attribute| crate::ast::is_fixture_attribute(attribute)) {
        cx.error_spanned_by(attribute, messages::DUPLICATE_FIXTURE_ATTR);
    }
    match def.source {
        FixtureSource::Impl(item) => {
            if let Some((_, trait_path, _)) = &item.trait_ {
                // testrig's own fixtures of other crates' types are written as the trait impl
                // they are (`impl Fixture for sqlx::SqlitePool`): no inherent impl can be.
                let own = def.options.built_in.is_some()
                    && trait_path.segments.last().is_some_and(|segment| segment.ident == "Fixture");
                if !own {
                    // The trait is the mistake; a missing `setup` would only follow from it.
                    return cx.error_spanned_by(trait_path, messages::FIXTURE_ON_TRAIT_IMPL);
                }
            }
            generics(&item.generics, messages::FIXTURE_GENERIC, cx);
            if def.setup.is_none() {
                cx.error_spanned_by(&item.self_ty, messages::FIXTURE_NO_SETUP);
            }
        }
        FixtureSource::Fn(item) => {
            if let (Some(span), true) = (def.options.once, def.options.per_run) {
                cx.error_at(span, messages::RUN_ON_FUNCTION);
            } else if let (Some(span), false) = (def.options.once, item.sig.generics.params.is_empty()) {
                cx.error_at(span, messages::ONCE_GENERIC);
            }
        }
    }
    if let (Some(span), true) = (def.options.once, def.options.per_run) {
        if !crate::features::Feature::Run.enabled() {
            cx.error_at(span, messages::needs_feature("`scope = run`", "run"));
        }
    }
    if let (Some(setup), FixtureSource::Fn(_)) = (&def.setup, def.source) {
        fixture_function_params(setup, cx);
    } else if let Some(setup) = &def.setup {
        setup_fn(setup, def.self_ty.as_ref(), cx);
        if let Some(marker) = setup.params.iter().find_map(|param| param.options) {
            if def.options.autouse.is_some() {
                cx.error_spanned_by(marker, messages::AUTOUSE_WITH_OPTIONS);
            }
            if def.options.once.is_some() {
                let message =
                    if def.options.per_run { messages::RUN_WITH_OPTIONS } else { messages::ONCE_WITH_OPTIONS };
                cx.error_spanned_by(marker, message);
            }
        }
    }
    if let Some(teardown) = def.teardown {
        teardown_fn(&teardown.sig, cx);
    }
    for sig in def.setup.iter().map(|setup| setup.sig).chain(def.teardown.map(|teardown| &teardown.sig)) {
        async_feature(sig, "an `async` fixture", cx);
    }
}

/// A fixture function's parameters: `&T` fixtures of the stack, by value other fixture
/// functions by name, `#[default(v)]` values; no case values, no `&mut`.
fn fixture_function_params(setup: &SetupFn, cx: &Ctxt) {
    if let Some(FnArg::Receiver(receiver)) = setup.sig.inputs.first() {
        cx.error_spanned_by(receiver, messages::SETUP_RECEIVER);
    }
    let mut marked = setup.params.iter().filter(|param| param.options.is_some());
    if let Some(second) = marked.nth(1) {
        cx.error_spanned_by(second.options, messages::OPTIONS_TWICE);
    }
    for param in &setup.params {
        for error in &param.marks.errors {
            cx.syn_error(error.clone());
        }
        if let Some(attribute) = param.marks.case.or(param.marks.context) {
            cx.error_spanned_by(attribute, messages::CASE_MARK_IN_FIXTURE);
        }
        if let Some((attribute, _)) = &param.values {
            cx.error_spanned_by(attribute, messages::CASE_MARK_IN_FIXTURE);
        }
        if let (Kind::ByType, None) = (&param.kind, param.options) {
            reference_param(param, "fixture functions", cx);
        }
    }
}

/// `async fn` bodies run on tokio, which only the facade's `async` feature links.
fn async_feature(sig: &Signature, what: &str, cx: &Ctxt) {
    let feature = crate::features::Feature::Async;
    if let (Some(asyncness), false) = (&sig.asyncness, feature.enabled()) {
        cx.error_spanned_by(asyncness, messages::needs_feature(what, feature.name()));
    }
}

fn setup_fn(setup: &SetupFn, self_ty: Option<&Type>, cx: &Ctxt) {
    let sig = setup.sig;
    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(receiver, messages::SETUP_RECEIVER);
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(&sig.generics, messages::SETUP_GENERIC);
    }
    if let Output::Missing = setup.output {
        cx.error_spanned_by(&sig.ident, messages::SETUP_NO_RETURN);
    }
    let mut marked = setup.params.iter().filter(|param| param.options.is_some());
    if let Some(second) = marked.nth(1) {
        cx.error_spanned_by(second.options, messages::OPTIONS_TWICE);
    }
    let self_text = self_ty.map(|ty| ty.to_token_stream().to_string());
    for param in &setup.params {
        let mark = param.marks.any();
        if let Some(attribute) = mark {
            cx.error_spanned_by(attribute, messages::MARK_IN_IMPL_FIXTURE);
            continue;
        }
        reference_param(param, "fixture `setup` functions", cx);
        if let (Some(ty), None) = (param.fixture_type(), param.options) {
            let text = ty.to_token_stream().to_string();
            if text == "Self" || Some(&text) == self_text.as_ref() {
                cx.error_spanned_by(ty, messages::SELF_DEPENDENCY);
            }
        }
    }
}

fn teardown_fn(sig: &Signature, cx: &Ctxt) {
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) if receiver.reference.is_none() => {}
        Some(FnArg::Receiver(receiver)) => cx.error_spanned_by(receiver, messages::TEARDOWN_RECEIVER),
        _ => cx.error_spanned_by(&sig.ident, messages::TEARDOWN_RECEIVER),
    }
    for extra in sig.inputs.iter().skip(1) {
        cx.error_spanned_by(extra, messages::TEARDOWN_PARAMS);
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(&sig.generics, messages::TEARDOWN_GENERIC);
    }
}

pub fn test(test: &TestFn, cx: &Ctxt) {
    let sig = &test.original.sig;
    for (attribute, message) in &test.rejected_attrs {
        cx.error_spanned_by(attribute, message);
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(constness, messages::TEST_CONST);
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(unsafety, messages::TEST_UNSAFE);
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(abi, messages::TEST_ABI);
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, messages::TEST_VARIADIC);
    }
    // With cases, rstest's generic test: instantiated per case.
    if !test.has_cases() {
        generics(&sig.generics, messages::TEST_GENERIC, cx);
    }
    if let (Some(attribute), false) = (test.tokio_test, test.is_async()) {
        cx.error_spanned_by(attribute, messages::TOKIO_TEST_ON_SYNC);
    }
    async_feature(sig, "an `async` test", cx);
    for input in &sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            cx.error_spanned_by(receiver, messages::TEST_RECEIVER);
        }
    }
    for param in &test.params {
        for error in &param.marks.errors {
            cx.syn_error(error.clone());
        }
        if names_mysql(&param.original.ty) {
            cx.error_spanned_by(&param.original.ty, messages::MYSQL_NOT_YET);
        }
        if let (Some(pinned), Some(typed)) = (pinned_backend(test), typed_pool(&param.original.ty)) {
            if pinned != typed {
                cx.error_spanned_by(
                    &param.original.ty,
                    messages::typed_pool_of_another_backend(pinned.name(), typed.name()),
                );
            }
        }
        if let Some((attribute, _)) = &param.marks.default {
            cx.error_spanned_by(attribute, messages::DEFAULT_ON_TEST);
        }
        if let (Some(attribute), true, true) = (param.marks.case, param.values.is_none(), test.cases.is_empty()) {
            cx.error_spanned_by(attribute, messages::CASE_MARK_WITHOUT_ROWS);
        }
        if param.is_case_value() {
            let fixture_mark = param.marks.fixture_function_mark();
            if let Some(attribute) = fixture_mark {
                cx.error_spanned_by(attribute, messages::MARK_ON_CASE_VALUE);
            }
        }
        if let (Some(attribute), false) =
            (param.marks.context, matches!(crate::ast::ungrouped(&param.original.ty), Type::Path(_)))
        {
            cx.error_spanned_by(attribute, messages::CONTEXT_NOT_BY_VALUE);
        }
        if let (Some(by_name), false) = (param.by_name(), test.is_async()) {
            if !by_name.awaited || param.marks.awt.is_some() {
                let attribute = param.marks.future.as_ref().map(|(attribute, _)| *attribute).or(param.marks.awt);
                cx.error_spanned_by(attribute, messages::FUTURE_ON_SYNC_TEST);
            }
        }
        match (param.options, &param.values) {
            (Some(marker), _) => cx.error_spanned_by(marker, messages::OPTIONS_IN_TEST),
            (None, Some((_, Err(error)))) => cx.syn_error(error.clone()),
            (None, Some((attribute, Ok(values)))) if values.is_empty() => {
                cx.error_spanned_by(attribute, messages::EMPTY_VALUES)
            }
            (None, Some(_)) => {}
            // By value in a test whose rows mark no parameter: a case value, which needs rows.
            (None, None) if param.is_case_value() && param.marks.case.is_none() => {
                if test.cases.is_empty() {
                    cx.error_spanned_by(&param.original.ty, messages::CASE_PARAMETER_WITHOUT_VALUES)
                }
            }
            (None, None) => {}
        }
    }
    cases(test, cx);
    let at = |kind| test.written_at(kind);
    let (poison_db, database, databases) = (at(PoisonDb), at(Database), at(Databases));
    // A `#[with_cells]` whose arguments were wrong is reported already.
    let cells = test.written.iter().any(|written| matches!(written.value, Parsed::Cells(Some(_))));
    if let (Some(span), true) = (poison_db, cells) {
        cx.error_at(span, messages::POISON_WITH_CELLS);
    }
    if let (Some(span), Some(_)) = (poison_db, database) {
        cx.error_at(span, messages::POISON_WITH_DATABASE);
    }
    if let (Some(span), true) = (database.or(databases), cells) {
        cx.error_at(span, messages::DATABASE_WITH_CELLS);
    }
    if let (Some(_), Some(span)) = (database, databases) {
        cx.error_at(span, messages::DATABASE_AND_DATABASES);
    }
    if let (Some(span), Some(_)) = (poison_db, databases) {
        cx.error_at(span, messages::POISON_WITH_DATABASE);
    }
    if let Some((_, span)) = test.options.start_paused {
        if !crate::features::Feature::StartPaused.enabled() {
            cx.error_at(span, messages::needs_feature("`start_paused`", "start-paused"));
        } else if !test.is_async() {
            cx.error_at(span, messages::START_PAUSED_ON_SYNC);
        } else if let Some((crate::parse::test_options::Flavor::MultiThread, _)) = test.options.flavor {
            cx.error_at(span, messages::START_PAUSED_MULTI_THREAD);
        }
    }
    if !test.is_async() {
        if let Some((_, span)) = test.options.flavor {
            cx.error_at(span, messages::FLAVOR_ON_SYNC);
        }
        if let Some((_, span)) = test.options.worker_threads {
            cx.error_at(span, messages::WORKERS_ON_SYNC);
        }
    } else if let Some((_, span)) = test.options.worker_threads {
        if !matches!(test.options.flavor, Some((crate::parse::test_options::Flavor::MultiThread, _))) {
            cx.error_at(span, messages::WORKERS_NEED_MULTI_THREAD);
        }
    }
}

/// The backend `#[database(backend = ..)]` names, if any.
fn pinned_backend(test: &TestFn) -> Option<BackendName> {
    test.written.iter().find_map(|written| match &written.value {
        crate::attr::Parsed::Database(database) => database.backend,
        _ => None,
    })
}

/// The backend whose typed pool or connection `ty` is (`&SqlitePool`, `PgPool`,
/// `PoolConnection<Postgres>`, `&Pool<Sqlite>`, `&mut PgConnection`), if it is one; other
/// types that merely name a backend (`ContainerAsync<Postgres>`) are not.
pub fn typed_pool(ty: &Type) -> Option<BackendName> {
    let last = |ty: &Type| -> Option<syn::PathSegment> {
        match crate::ast::ungrouped(ty) {
            Type::Reference(reference) => match crate::ast::ungrouped(&reference.elem) {
                Type::Path(path) => path.path.segments.last().cloned(),
                _ => None,
            },
            Type::Path(path) => path.path.segments.last().cloned(),
            _ => None,
        }
    };
    let segment = last(ty)?;
    let of = |name: &str| match name {
        "SqlitePool" | "SqliteConnection" | "Sqlite" => Some(BackendName::Sqlite),
        "PgPool" | "PgConnection" | "Postgres" => Some(BackendName::Postgres),
        _ => None,
    };
    match segment.ident.to_string().as_str() {
        "Pool" | "PoolConnection" => match &segment.arguments {
            syn::PathArguments::AngleBracketed(arguments) => {
                arguments.args.iter().find_map(|argument| match argument {
                    syn::GenericArgument::Type(Type::Path(path)) => of(&path.path.segments.last()?.ident.to_string()),
                    _ => None,
                })
            }
            _ => None,
        },
        "Sqlite" | "Postgres" => None,
        name => of(name),
    }
}

/// Whether `ty` is one of sqlx's MySQL types (`MySqlPool`, `PoolConnection<MySql>`, ..), which
/// `#[sqlx::test]` takes and testrig's database fixtures do not yet.
fn names_mysql(ty: &Type) -> bool {
    crate::ast::any_ident(ty, &|ident| ident.to_string().starts_with("MySql"))
}

fn generics(generics: &Generics, message: &str, cx: &Ctxt) {
    if !generics.params.is_empty() {
        cx.error_spanned_by(&generics.params, message);
    } else if let Some(where_clause) = &generics.where_clause {
        cx.error_spanned_by(where_clause, message);
    }
}

/// Each `#[case]` row gives one value per case parameter (those taken by value without
/// `#[values]`).
fn cases(test: &TestFn, cx: &Ctxt) {
    let names: Vec<String> = test
        .params
        .iter()
        .filter(|param| param.is_case_value() && param.values.is_none())
        .map(|param| param.original.pat.to_token_stream().to_string())
        .collect();
    // Two rows may have one name: rstest's names tell them apart by their position.
    for row in &test.cases {
        if row.values.len() != names.len() {
            cx.error_spanned_by(row.attribute, messages::case_arity(row.values.len(), &names));
        }
    }
}

fn reference_param(param: &Param, what: &str, cx: &Ctxt) {
    match crate::ast::ungrouped(&param.original.ty) {
        Type::Reference(reference) if reference.mutability.is_some() => {
            cx.error_spanned_by(reference, messages::parameter_mut_reference(what))
        }
        Type::Reference(_) => {}
        other => cx.error_spanned_by(other, messages::parameter_not_reference(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::OurAttribute;
    use proc_macro2::TokenStream;

    fn test_errors(item: syn::ItemFn) -> Vec<String> {
        let cx = Ctxt::new();
        let parsed = TestFn::from_syn(OurAttribute::FixtureTest, TokenStream::new(), &item, &cx);
        test(&parsed, &cx);
        cx.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default()
    }

    fn fixture_errors(item: syn::ItemImpl) -> Vec<String> {
        let cx = Ctxt::new();
        fixture(&FixtureDef::from_impl(&item, Default::default()), &cx);
        cx.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default()
    }

    #[test]
    fn valid_test_has_no_errors() {
        assert!(test_errors(syn::parse_quote!(
            async fn t(a: &A, _: &B) -> Result<(), E> {}
        ))
        .is_empty());
    }

    #[test]
    fn all_test_problems_are_reported_together() {
        let errors = test_errors(syn::parse_quote! {
            #[test]
            const unsafe fn t<T>(a: u32, b: *const B) {}
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert_eq!(errors[0], messages::PLAIN_TEST_ATTR);
        assert_eq!(errors[1], messages::TEST_CONST);
        assert_eq!(errors[2], messages::TEST_UNSAFE);
        assert_eq!(errors[3], messages::TEST_GENERIC);
        // `a: u32` and `b: *const B` are fixture functions' values by name: a name that finds
        // none is rustc's error at the parameter (`NoFixtureNamed`), not the macro's.
    }

    #[test]
    fn fixture_problems_are_reported_together() {
        let errors = fixture_errors(syn::parse_quote! {
            impl<T> Foo<T> {
                fn setup(&self, a: A, me: &Self) {}
                fn teardown(&mut self, extra: u8) {}
            }
        });
        assert_eq!(
            errors,
            [
                messages::FIXTURE_GENERIC.to_owned(),
                messages::SETUP_RECEIVER.to_owned(),
                messages::SETUP_NO_RETURN.to_owned(),
                messages::parameter_not_reference("fixture `setup` functions"),
                messages::SELF_DEPENDENCY.to_owned(),
                messages::TEARDOWN_RECEIVER.to_owned(),
                messages::TEARDOWN_PARAMS.to_owned(),
            ]
        );
    }

    #[test]
    fn missing_setup_is_reported() {
        assert_eq!(fixture_errors(syn::parse_quote!(impl Foo { fn other() {} })), [messages::FIXTURE_NO_SETUP]);
    }
}

#[cfg(test)]
mod typed_pool_tests {
    use super::*;

    fn backend(ty: &str) -> Option<&'static str> {
        typed_pool(&syn::parse_str::<Type>(ty).unwrap()).map(BackendName::name)
    }

    #[test]
    fn a_backends_typed_pools_and_connections_are_its_own() {
        assert_eq!(backend("&sqlx::SqlitePool"), Some("sqlite"));
        assert_eq!(backend("PgPool"), Some("postgres"));
        assert_eq!(backend("sqlx::pool::PoolConnection<sqlx::Postgres>"), Some("postgres"));
        assert_eq!(backend("&Pool<Sqlite>"), Some("sqlite"));
        assert_eq!(backend("&mut sqlx::PgConnection"), Some("postgres"));
    }

    #[test]
    fn types_that_only_name_a_backend_are_not_typed_pools() {
        assert_eq!(backend("&ContainerAsync<Postgres>"), None);
        assert_eq!(backend("&PostgresImage"), None);
        assert_eq!(backend("&sqlx::AnyPool"), None);
        assert_eq!(backend("&testrig::db::Database"), None);
        assert_eq!(backend("&Postgres"), None);
    }
}
