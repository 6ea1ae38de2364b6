//! Our small IR of what the user wrote, as syntax: each node keeps the `syn` node it came
//! from, so the checks can span errors at the user's tokens. What the test needs, generated
//! paths included, is built from it once it is checked ([`crate::expand::roots`]).

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, ItemFn, ItemImpl, PatType, ReturnType, Signature, Type};

use crate::attr::{all, Input, OurAttribute, Parsed, TestAttr, WrittenAttr};
use crate::ctxt::Ctxt;
use crate::parse::conf::ConfAttr;
use crate::parse::env::EnvEntry;
use crate::parse::test_options::TestOptions;
use crate::{messages, parse};

/// A `#[testrig::test]` function.
pub struct TestFn<'a> {
    pub original: &'a ItemFn,
    /// `#[testrig::test(..)]`'s options.
    pub options: TestOptions,
    pub params: Vec<Param<'a>>,
    /// Our attributes, in the order written (see [`WrittenAttr`]).
    pub written: Vec<WrittenAttr>,
    /// `#[case(..)]` / `#[case::name(..)]` rows, in order.
    pub cases: Vec<CaseRow<'a>>,
    /// Attributes we pass through to the generated `#[test]` (`#[should_panic]`, docs, ..).
    pub kept_attrs: Vec<&'a Attribute>,
    /// Attributes that must not be there, with what to say about each.
    pub rejected_attrs: Vec<(&'a Attribute, &'static str)>,
}

impl<'a> TestFn<'a> {
    pub fn from_syn(origin: OurAttribute, args: TokenStream, item: &'a ItemFn, cx: &Ctxt) -> Self {
        let mut test = TestFn {
            original: item,
            options: TestOptions::default(),
            params: item.sig.inputs.iter().filter_map(Param::from_arg).collect(),
            written: Vec::new(),
            cases: Vec::new(),
            kept_attrs: Vec::new(),
            rejected_attrs: Vec::new(),
        };
        test.absorb(origin, args, None, cx);
        for attribute in &item.attrs {
            match TestAttr::classify(attribute) {
                TestAttr::Ours(kind, attribute) => {
                    if let Some(args) = parse::attribute_args(attribute, cx) {
                        test.absorb(kind, args, Some(attribute), cx);
                    }
                }
                TestAttr::PlainTest(attribute) => test.rejected_attrs.push((attribute, messages::PLAIN_TEST_ATTR)),
                TestAttr::TokioTest(attribute) => test.rejected_attrs.push((attribute, messages::TOKIO_TEST_ATTR)),
                TestAttr::Case(attribute) => test.cases.push(CaseRow::from_attr(attribute, cx)),
                // `#[should_panic]` / `#[ignore]` right after a `#[case]` belong to that case.
                TestAttr::Other(attribute) if is_case_attr(attribute) && test.cases.last().is_some() => {
                    if let Some(case) = test.cases.last_mut() {
                        case.attrs.push(attribute);
                    }
                }
                TestAttr::Cases(attribute) | TestAttr::Other(attribute) => test.kept_attrs.push(attribute),
            }
        }
        test.options = test
            .written
            .iter_mut()
            .find_map(|written| match &mut written.value {
                Parsed::Options(options) => Some(std::mem::take(options)),
                _ => None,
            })
            .unwrap_or_default();
        if test.cases.is_empty() {
            for param in &mut test.params {
                param.taken = param.values.is_none()
                    && param.options.is_none()
                    && matches!(ungrouped(&param.original.ty), Type::Path(_))
                    && !is_plain_value(&param.original.ty);
            }
        }
        test
    }

    /// Takes in one of our attributes: the one being expanded (`attribute` is `None`, its
    /// span is the call site) or one written below it. Its row says everything else.
    fn absorb(&mut self, kind: OurAttribute, args: TokenStream, attribute: Option<&'a Attribute>, cx: &Ctxt) {
        let row = kind.row();
        let span = attribute.map_or_else(Span::call_site, |attribute| {
            attribute.path().segments.last().map_or_else(Span::call_site, |segment| segment.ident.span())
        });
        if let Some((what, feature)) = kind.feature().filter(|(_, feature)| !feature.enabled()) {
            cx.error_at(span, messages::needs_feature(&what, feature.name()));
        }
        if let Some(duplicate) = row.once.filter(|_| self.written.iter().any(|written| written.kind == kind)) {
            // Its own arguments are not read: one error for it, not one per mistake in it.
            cx.error_spanned_by(attribute, duplicate);
            return;
        }
        let value = (row.parse)(Input { args, attribute, span, earlier: &self.written, cx });
        self.written.push(WrittenAttr { kind, span, value });
    }

    /// What the attributes of `kind` said, in order.
    fn said(&self, kind: OurAttribute) -> impl Iterator<Item = &WrittenAttr> {
        self.written.iter().filter(move |written| written.kind == kind)
    }

    /// `#[env(..)]` variables of all `#[env]` attributes.
    pub fn env(&self) -> Vec<&EnvEntry> {
        all(&self.written, Parsed::env)
    }

    /// `#[conf(..)]` attributes, applied in the order written.
    pub fn confs(&self) -> Vec<&ConfAttr> {
        all(&self.written, Parsed::confs)
    }

    /// The start functions of every `#[service(..)]`, in order.
    pub fn services(&self) -> Vec<&syn::Path> {
        all(&self.written, Parsed::services)
    }

    /// Where `#[kind]` was written, if it was.
    pub fn written_at(&self, kind: OurAttribute) -> Option<Span> {
        self.said(kind).next().map(|written| written.span)
    }

    /// Whether the test expands into one test per case.
    pub fn has_cases(&self) -> bool {
        !self.cases.is_empty() || self.params.iter().any(|param| param.values.is_some())
    }

    pub fn is_async(&self) -> bool {
        self.original.sig.asyncness.is_some()
    }
}

/// One `#[case(..)]` row: the values of the test's case parameters, in order.
pub struct CaseRow<'a> {
    pub attribute: &'a Attribute,
    /// `cross_cell` of `#[case::cross_cell(..)]`.
    pub name: Option<syn::Ident>,
    pub values: Vec<syn::Expr>,
    /// `#[should_panic]`, `#[ignore]` written right after this row: for this case only.
    pub attrs: Vec<&'a Attribute>,
}

impl<'a> CaseRow<'a> {
    fn from_attr(attribute: &'a Attribute, cx: &Ctxt) -> Self {
        // `case::name`; `testrig::case` has none.
        let segments = &attribute.path().segments;
        let name = match segments.first() {
            Some(first) if first.ident == "case" => segments.iter().nth(1).map(|segment| segment.ident.clone()),
            _ => None,
        };
        let values = match expressions(attribute) {
            Ok(values) => values,
            Err(error) => {
                cx.syn_error(error);
                Vec::new()
            }
        };
        CaseRow { attribute, name, values, attrs: Vec::new() }
    }
}

/// The comma-separated expressions of `#[case(..)]` or `#[values(..)]`; none for the bare form.
fn expressions(attribute: &Attribute) -> syn::Result<Vec<syn::Expr>> {
    match &attribute.meta {
        syn::Meta::Path(_) => Ok(Vec::new()),
        _ => attribute
            .parse_args_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            .map(|values| values.into_iter().collect()),
    }
}

fn is_case_attr(attribute: &Attribute) -> bool {
    attribute.path().is_ident("should_panic") || attribute.path().is_ident("ignore")
}

/// `#[fixture]`, `#[testrig::fixture]` (or `testrig_macros::`, as the runtime writes it).
pub fn is_fixture_attribute(attribute: &syn::Attribute) -> bool {
    let segments: Vec<String> = attribute.path().segments.iter().map(|segment| segment.ident.to_string()).collect();
    matches!(
        segments.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["fixture"] | ["testrig" | "testrig_macros", "fixture"]
    )
}

/// `#[options]` on a `setup` parameter: the fixture's options.
pub fn is_options_marker(attribute: &Attribute) -> bool {
    attribute.path().is_ident("options")
}

/// A typed parameter of a test or of a fixture's `setup`.
pub struct Param<'a> {
    pub original: &'a PatType,
    /// The `#[options]` marker, if the parameter has one.
    pub options: Option<&'a Attribute>,
    /// `#[values(a, b, ..)]` on a test parameter: one test per value (a product with the
    /// other `#[values]` parameters and the `#[case]` rows).
    pub values: Option<(&'a Attribute, syn::Result<Vec<syn::Expr>>)>,
    /// With `#[files(..)]` (which fills `values`): the file each value is, as its case's label.
    pub labels: Vec<String>,
    /// A test parameter taken by value in a test without `#[case]` rows, and not `#[values]`:
    /// the fixture of that type, moved out of the stack.
    pub taken: bool,
}

/// How a test receives a fixture.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// `&T`
    Shared,
    /// `&mut T`
    Exclusive,
    /// `T`, of a fixture marked `#[fixture(by_value)]`
    Taken,
}

impl<'a> Param<'a> {
    fn from_arg(arg: &'a FnArg) -> Option<Self> {
        match arg {
            FnArg::Typed(original) => {
                let options = original.attrs.iter().find(|a| is_options_marker(a));
                let mut labels = Vec::new();
                let values = original.attrs.iter().find_map(|attribute| {
                    if attribute.path().is_ident("values") {
                        Some((attribute, expressions(attribute)))
                    } else if attribute.path().is_ident("files") {
                        let files = crate::parse::files::parse(attribute).map(|files| {
                            files
                                .into_iter()
                                .map(|file| {
                                    labels.push(file.label);
                                    file.value
                                })
                                .collect()
                        });
                        Some((attribute, files))
                    } else {
                        None
                    }
                });
                Some(Param { original, options, values, labels, taken: false })
            }
            FnArg::Receiver(_) => None,
        }
    }

    /// Whether the test gets this parameter from `#[case]` rows or `#[values]` rather than
    /// from a fixture: it is taken by value (in a test with rows, or with `#[values]`), or is
    /// a `&'static` reference (`&'static str`), which a fixture never is — fixtures are
    /// borrowed from the test's own stack.
    pub fn is_case_value(&self) -> bool {
        match ungrouped(&self.original.ty) {
            Type::Reference(reference) => {
                reference.lifetime.as_ref().is_some_and(|lifetime| lifetime.ident == "static")
            }
            _ => !self.taken,
        }
    }

    /// `T` of a parameter typed `&T` (or, of a test, `&mut T` or a taken `T`); `None` for any
    /// other type (an error the checks report).
    pub fn fixture_type(&self) -> Option<&'a Type> {
        self.fixture_access().map(|(ty, _)| ty)
    }

    /// The fixture type and how it is received.
    pub fn fixture_access(&self) -> Option<(&'a Type, Access)> {
        match ungrouped(&self.original.ty) {
            Type::Reference(reference) if reference.mutability.is_none() => Some((&reference.elem, Access::Shared)),
            Type::Reference(reference) => Some((&reference.elem, Access::Exclusive)),
            other if self.taken => Some((other, Access::Taken)),
            _ => None,
        }
    }
}

/// A path type no fixture can be (a primitive, `String`): by value in a test without rows,
/// it is a case value that lacks its values, and is reported as that.
fn is_plain_value(ty: &Type) -> bool {
    const PLAIN: &[&str] = &[
        "bool", "char", "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128",
        "isize", "f32", "f64",
    ];
    match ungrouped(ty) {
        Type::Path(path) => {
            path.qself.is_none() && path.path.get_ident().is_some_and(|ident| PLAIN.iter().any(|plain| ident == plain))
        }
        _ => false,
    }
}

/// `ty` without the invisible group a `$t:ty` fragment of `macro_rules!` wraps it in, so
/// `&Db` passed through a macro is still a reference.
pub fn ungrouped(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungrouped(&group.elem),
        other => other,
    }
}

/// A `#[fixture]`: an impl block with `setup`/`teardown`, or a function returning the value.
pub struct FixtureDef<'a> {
    pub source: FixtureSource<'a>,
    /// The fixture type: the impl's self type; for a function `name`, the type `Name`.
    pub self_ty: Option<Type>,
    /// For a function `name` returning a type not called `Name`: the `Name` we generate
    /// around what it returns (any type, of any crate), and that type.
    pub wrapper: Option<(syn::Ident, Type)>,
    pub setup: Option<SetupFn<'a>>,
    pub teardown: Option<&'a ImplItemFn>,
    pub options: crate::parse::fixture_options::FixtureOptions,
}

pub enum FixtureSource<'a> {
    Impl(&'a ItemImpl),
    Fn(&'a ItemFn),
}

/// The function that builds a fixture.
pub struct SetupFn<'a> {
    pub sig: &'a Signature,
    pub params: Vec<Param<'a>>,
    pub output: Output,
}

/// What a `setup` returns, read off its signature.
pub enum Output {
    Missing,
    /// `-> T`: infallible.
    Value(Type),
    /// `-> Result<T, E>` under any path (`anyhow::Result<T>`, `io::Result<T>`): fallible.
    Result(Type),
}

impl Output {
    fn from_syn(output: &ReturnType) -> Self {
        let ReturnType::Type(_, ty) = output else { return Output::Missing };
        if let Type::Path(path) = &**ty {
            if let Some(last) = path.path.segments.last() {
                if last.ident == "Result" {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        if let Some(syn::GenericArgument::Type(ok)) = args.args.first() {
                            return Output::Result(ok.clone());
                        }
                    }
                }
            }
        }
        Output::Value((**ty).clone())
    }

    pub fn value_type(&self) -> Option<&Type> {
        match self {
            Output::Missing => None,
            Output::Value(ty) | Output::Result(ty) => Some(ty),
        }
    }

    pub fn is_fallible(&self) -> bool {
        matches!(self, Output::Result(_))
    }
}

impl<'a> SetupFn<'a> {
    fn from_sig(sig: &'a Signature) -> Self {
        SetupFn {
            sig,
            params: sig.inputs.iter().filter_map(Param::from_arg).collect(),
            output: Output::from_syn(&sig.output),
        }
    }
}

impl<'a> FixtureDef<'a> {
    pub fn from_impl(item: &'a ItemImpl, options: crate::parse::fixture_options::FixtureOptions) -> Self {
        let mut setup = None;
        let mut teardown = None;
        for impl_item in &item.items {
            if let ImplItem::Fn(function) = impl_item {
                if function.sig.ident == "setup" {
                    setup = Some(SetupFn::from_sig(&function.sig));
                } else if function.sig.ident == "teardown" {
                    teardown = Some(function);
                }
            }
        }
        let self_ty = Some((*item.self_ty).clone());
        FixtureDef { source: FixtureSource::Impl(item), self_ty, wrapper: None, setup, teardown, options }
    }

    /// A function `scratch_dir` is the fixture `ScratchDir`, a wrapper we generate around
    /// what it returns: so it may return a type of another crate (`PathBuf`), which no
    /// `impl Fixture` here could name. (The checks refuse a name that would clash.)
    pub fn from_fn(item: &'a ItemFn, options: crate::parse::fixture_options::FixtureOptions) -> Self {
        let setup = SetupFn::from_sig(&item.sig);
        let (self_ty, wrapper) = match setup.output.value_type() {
            None => (None, None),
            Some(value) => {
                let wrapper = syn::Ident::new(&camel_case(&item.sig.ident), item.sig.ident.span());
                (Some(syn::parse_quote!(#wrapper)), Some((wrapper, value.clone())))
            }
        };
        FixtureDef { source: FixtureSource::Fn(item), self_ty, wrapper, setup: Some(setup), teardown: None, options }
    }
}

/// Why the wrapper a function fixture would define cannot be (see `check`).
pub enum WrapperClash<'a> {
    /// `-> impl Trait`: no struct field can hold it.
    ImplTrait(&'a Type),
    /// `fn client() -> Client`: `struct Client(Client)`.
    ItsType(String),
    /// `fn result() -> ..`: it would hide std's `Result` from the module.
    Prelude(String),
}

impl FixtureDef<'_> {
    pub fn wrapper_clash(&self) -> Option<WrapperClash<'_>> {
        const PRELUDE: &[&str] = &[
            "Self",
            "Result",
            "Option",
            "Some",
            "None",
            "Ok",
            "Err",
            "Vec",
            "String",
            "Box",
            "ToString",
            "ToOwned",
            "Iterator",
            "IntoIterator",
            "Extend",
            "Fn",
            "FnMut",
            "FnOnce",
            "Drop",
            "Send",
            "Sync",
            "Sized",
            "Copy",
            "Clone",
            "Default",
            "Eq",
            "PartialEq",
            "Ord",
            "PartialOrd",
            "AsRef",
            "AsMut",
            "Into",
            "From",
            "TryFrom",
            "TryInto",
            "Unpin",
            "FromIterator",
            "DoubleEndedIterator",
            "ExactSizeIterator",
        ];
        let (wrapper, value) = self.wrapper.as_ref()?;
        let name = wrapper.to_string();
        if let Type::ImplTrait(_) = ungrouped(value) {
            Some(WrapperClash::ImplTrait(value))
        } else if last_ident(value).is_some_and(|ident| *ident == name) {
            Some(WrapperClash::ItsType(name))
        } else if PRELUDE.contains(&name.as_str()) {
            Some(WrapperClash::Prelude(name))
        } else {
            None
        }
    }
}

/// `scratch_dir` → `ScratchDir` (a leading `r#` or `_` dropped); always an identifier.
pub fn camel_case(ident: &syn::Ident) -> String {
    let name = camel_case_text(ident);
    match syn::parse_str::<syn::Ident>(&name) {
        Ok(_) => name,
        Err(_) => "Fixture".to_owned(),
    }
}

fn camel_case_text(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    let name: String = name
        .trim_start_matches("r#")
        .split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect();
    match name.chars().next() {
        Some(first) if first.is_alphabetic() => name,
        _ => format!("Fixture{name}"),
    }
}

/// The last identifier of a path type without a `qself` (`Greeting` of `crate::Greeting<T>`).
pub fn last_ident(ty: &Type) -> Option<&syn::Ident> {
    match ungrouped(ty) {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|segment| &segment.ident),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn reads_setup_teardown_and_fallibility() {
        let item: ItemImpl = syn::parse_quote! {
            impl Cloud {
                async fn setup(cells: &Cells, #[options] names: &Names) -> anyhow::Result<Self> { todo!() }
                fn teardown(self) {}
                fn helper(&self) {}
            }
        };
        let def = FixtureDef::from_impl(&item, Default::default());
        let setup = def.setup.as_ref().unwrap();
        assert!(setup.output.is_fallible());
        assert_eq!(setup.params.len(), 2);
        assert!(setup.params[0].options.is_none() && setup.params[1].options.is_some());
        assert_eq!(setup.params[0].fixture_type().unwrap().to_token_stream().to_string(), "Cells");
        assert!(def.teardown.is_some());
    }

    #[test]
    fn fn_fixture_type_is_its_return_value() {
        let item: ItemFn = syn::parse_quote!(
            fn hosts(cells: &Cells) -> Result<Hosts, Error> {
                todo!()
            }
        );
        let def = FixtureDef::from_fn(&item, Default::default());
        assert_eq!(def.self_ty.unwrap().to_token_stream().to_string(), "Hosts");
    }

    #[test]
    fn a_test_receives_fixtures_shared_exclusive_or_taken() {
        let item: ItemFn = syn::parse_quote!(
            fn t(a: &A, b: &mut B, c: C, n: u32) {}
        );
        let cx = Ctxt::new();
        let test = TestFn::from_syn(OurAttribute::FixtureTest, TokenStream::new(), &item, &cx);
        cx.check().unwrap();
        let found: Vec<Option<Access>> = test.params.iter().map(|p| p.fixture_access().map(|(_, a)| a)).collect();
        // `u32`: no fixture can be one; a case value missing its rows.
        assert_eq!(found, [Some(Access::Shared), Some(Access::Exclusive), Some(Access::Taken), None]);
    }

    #[test]
    fn by_value_parameters_are_case_values_when_the_test_has_rows() {
        let item: ItemFn = syn::parse_quote!(
            #[case(C)]
            fn t(c: C) {}
        );
        let cx = Ctxt::new();
        let test = TestFn::from_syn(OurAttribute::FixtureTest, TokenStream::new(), &item, &cx);
        cx.check().unwrap();
        assert!(test.params[0].is_case_value() && test.params[0].fixture_type().is_none());
    }

    #[test]
    fn a_function_fixture_is_named_after_the_function() {
        let item: ItemFn = syn::parse_quote!(
            fn scratch_dir() -> std::io::Result<std::path::PathBuf> {
                todo!()
            }
        );
        let def = FixtureDef::from_fn(&item, Default::default());
        assert_eq!(def.self_ty.to_token_stream().to_string(), "ScratchDir");
        let (wrapper, value) = def.wrapper.as_ref().unwrap();
        assert_eq!(
            (wrapper.to_string(), value.to_token_stream().to_string()),
            ("ScratchDir".into(), "std :: path :: PathBuf".into())
        );
        for (name, camel) in
            [("__", "Fixture"), ("_2x", "Fixture2x"), ("r#type", "Type"), ("a__b_", "AB"), ("self_", "Fixture")]
        {
            assert_eq!(camel_case(&syn::parse_str(name).unwrap()), camel);
        }
    }
}
