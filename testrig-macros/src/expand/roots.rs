//! What a checked test needs, built from its syntax (tokio-macros' `build()`): the fixtures
//! it names — its parameters, `#[with(..)]` — and those its attributes stand for, each with
//! the options it gives. The expansion reads this, not the attributes.

use quote::quote_spanned;
use syn::Type;

pub use super::lower::Root;
use crate::ast::TestFn;
use crate::ctxt::Ctxt;
use crate::messages;
use crate::parse::services::service_name;

/// A checked test and its [`implied`] roots: what the expansion reads.
pub struct BuiltTest<'t, 'a> {
    test: &'t TestFn<'a>,
    pub implied: Vec<Root>,
}

impl<'t, 'a> BuiltTest<'t, 'a> {
    pub fn new(test: &'t TestFn<'a>, cx: &Ctxt) -> Self {
        BuiltTest { test, implied: implied(test, cx) }
    }
}

impl<'a> std::ops::Deref for BuiltTest<'_, 'a> {
    type Target = TestFn<'a>;

    fn deref(&self) -> &TestFn<'a> {
        self.test
    }
}

/// The test's roots beyond its parameters: what each of our attributes lowers to (its row's
/// `lower`), in the order they are written, then `#[service]`'s, all in one `Services`. A
/// fixture named twice is reported at its second name.
fn implied(test: &TestFn, cx: &Ctxt) -> Vec<Root> {
    // `#[testrig::database]` on a function of no parameters is `#[sqlx::test]` on one: a plain
    // test, no database (as sqlx makes none).
    let sqlx_plain = test.written.first().is_some_and(|origin| origin.kind == crate::attr::OurAttribute::Database)
        && test.original.sig.inputs.is_empty();
    let mut roots: Vec<Root> = test
        .written
        .iter()
        .filter(|written| !(sqlx_plain && written.kind == crate::attr::OurAttribute::Database))
        .flat_map(|written| (written.kind.row().lower)(&written.value))
        .collect();
    let services = test.services();
    if !services.is_empty() {
        // The closures keep each path's span, so a start function of the wrong shape is
        // reported there.
        let specs = services.iter().map(|path| {
            let name = service_name(path);
            quote_spanned! {syn::spanned::Spanned::span(path)=>
                ::testrig::__private::ServiceSpec {
                    name: #name,
                    start: |context| ::testrig::__private::box_service(::testrig::__private::start_service(#path, context)),
                }
            }
        });
        roots.push(Root {
            ty: syn::parse_quote!(::testrig::service::Services),
            options: Some(syn::parse_quote!(::testrig::service::ServicesOptions::new(::std::vec![#(#specs),*]))),
        });
    }
    let mut listed: Vec<String> = Vec::new();
    for root in &roots {
        let text = quote::ToTokens::to_token_stream(&root.ty).to_string();
        if listed.contains(&text) {
            // As written, without the token printer's spaces (`::testrig::logs::Logs`).
            let shown = match &root.ty {
                Type::Path(path) if path.qself.is_none() => crate::parse::path_text(&path.path),
                _ => text.clone(),
            };
            cx.error_spanned_by(&root.ty, messages::duplicate_fixture(&shown));
        }
        listed.push(text);
    }
    roots
}

/// The types of the test's roots: its parameters that are fixtures (by type, or what a
/// by-name parameter's name found), then `implied`.
pub fn types(test: &TestFn, implied: &[Root]) -> Vec<Type> {
    let params =
        test.params.iter().enumerate().filter_map(|(index, param)| match (param.fixture_type(), param.by_name()) {
            (Some(ty), _) => Some(ty.clone()),
            (None, Some(by_name)) => {
                Some(super::by_name::root_type(by_name, &super::by_name::resolved_ident("param", index)))
            }
            (None, None) => None,
        });
    params.chain(implied.iter().map(|root| root.ty.clone())).collect()
}
