//! Our small IR of what the user wrote, as syntax: each node keeps the `syn` node it came
//! from, so the checks can span errors at the user's tokens. What the test needs, generated
//! paths included, is built from it once it is checked ([`crate::expand::roots`]).

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, ItemFn, ItemImpl, PatType, ReturnType, Signature, Type};

use crate::attr::{all, Input, OurAttribute, Parsed, TestAttr, WrittenAttr};
use crate::ctxt::Ctxt;
use crate::parse::conf::ConfAttr;
use crate::parse::env::EnvEntry;
use crate::parse::marks::Marks;
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
    /// `#[tokio::test(..)]` below ours (rstest's async tests name it): its options are ours.
    pub tokio_test: Option<&'a Attribute>,
    /// rstest's `#[awt]` and `#[trace]` on the function.
    pub fn_marks: Vec<&'a Attribute>,
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
            tokio_test: None,
            fn_marks: Vec::new(),
        };
        test.absorb(origin, args, None, cx);
        // rstest's placement: an attribute written before a `#[case]` row (and after the row
        // before it) is that case's; one after the last row is every case's.
        let mut pending: Vec<&'a Attribute> = Vec::new();
        let mut pending_timeouts: Vec<&'a Attribute> = Vec::new();
        for attribute in &item.attrs {
            match TestAttr::classify(attribute) {
                // rstest's: a `#[timeout]` before a row is that row's.
                TestAttr::Ours(OurAttribute::Timeout, attribute) => pending_timeouts.push(attribute),
                TestAttr::Ours(kind, attribute) => {
                    if let Some(args) = parse::attribute_args(attribute, cx) {
                        test.absorb(kind, args, Some(attribute), cx);
                    }
                }
                TestAttr::PlainTest(attribute) => test.rejected_attrs.push((attribute, messages::PLAIN_TEST_ATTR)),
                TestAttr::TokioTest(attribute) => test.tokio_test = Some(attribute),
                TestAttr::Case(attribute) => {
                    let mut row = CaseRow::from_attr(attribute, cx);
                    row.attrs = std::mem::take(&mut pending);
                    // The last one written, as rstest's.
                    if let Some(timeout) = std::mem::take(&mut pending_timeouts).pop() {
                        row.timeout = parse::attribute_args(timeout, cx)
                            .and_then(|args| parse::timeout::parse(args, Some(timeout), cx));
                    }
                    test.cases.push(row);
                }
                TestAttr::Other(attribute) if is_fn_mark(attribute) => test.fn_marks.push(attribute),
                // Lints go on the function, where its code is.
                TestAttr::Other(attribute) if is_lint(attribute) => test.kept_attrs.push(attribute),
                TestAttr::Cases(attribute) => test.kept_attrs.push(attribute),
                TestAttr::Other(attribute) => pending.push(attribute),
            }
        }
        test.kept_attrs.extend(pending);
        for timeout in pending_timeouts {
            if let Some(args) = parse::attribute_args(timeout, cx) {
                test.absorb(OurAttribute::Timeout, args, Some(timeout), cx);
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
        if let Some(attribute) = test.tokio_test {
            // `#[rstest] #[tokio::test(flavor = ..)]`: its options, where ours left them unset.
            if let syn::Meta::List(list) = &attribute.meta {
                let theirs = TestOptions::parse(list.tokens.clone(), cx);
                let ours = &mut test.options;
                ours.flavor = ours.flavor.or(theirs.flavor);
                ours.worker_threads = ours.worker_threads.or(theirs.worker_threads);
                ours.start_paused = ours.start_paused.or(theirs.start_paused);
            }
        }
        classify_test_params(&mut test.params, !test.cases.is_empty(), &item.sig.generics);
        if test.awaits_every_future() {
            for param in &mut test.params {
                if let Kind::ByName(by_name) = &mut param.kind {
                    by_name.awaited = true;
                }
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

    /// rstest's `#[awt]` on the function: every `#[future]` parameter is awaited.
    pub fn awaits_every_future(&self) -> bool {
        self.fn_marks.iter().any(|attribute| attribute.path().is_ident("awt"))
    }

    /// rstest's `#[trace]`: the arguments are printed before the body.
    pub fn traces(&self) -> bool {
        self.fn_marks.iter().any(|attribute| attribute.path().is_ident("trace"))
    }

    /// Whether the test is instantiated per case: it has generics, or a parameter of
    /// `impl Trait` (rstest's generic tests).
    pub fn is_generic(&self) -> bool {
        let generics = &self.original.sig.generics;
        !generics.params.is_empty() || self.params.iter().any(|param| mentions_generics(&param.original.ty, generics))
    }
}

/// Whether `ty` names one of `generics`' type parameters or is (or holds) `impl Trait`.
pub fn mentions_generics(ty: &Type, generics: &syn::Generics) -> bool {
    let names: Vec<String> = generics.type_params().map(|param| param.ident.to_string()).collect();
    any_ident(ty, &|ident| ident == "impl" || names.iter().any(|name| ident == name))
}

/// Whether an identifier anywhere in `ty`'s tokens (in `<..>`, `(..)`, `[..]` too) is one
/// `wanted` says it is looking for.
pub fn any_ident(ty: &Type, wanted: &dyn Fn(&proc_macro2::Ident) -> bool) -> bool {
    fn any(tokens: TokenStream, wanted: &dyn Fn(&proc_macro2::Ident) -> bool) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => wanted(&ident),
            proc_macro2::TokenTree::Group(group) => any(group.stream(), wanted),
            _ => false,
        })
    }
    any(quote::ToTokens::to_token_stream(ty), wanted)
}

/// One `#[case(..)]` row: the values of the test's case parameters, in order.
pub struct CaseRow<'a> {
    pub attribute: &'a Attribute,
    /// `cross_cell` of `#[case::cross_cell(..)]`.
    pub name: Option<syn::Ident>,
    pub values: Vec<syn::Expr>,
    /// The attributes written before this row, after the one before it: for this case only.
    pub attrs: Vec<&'a Attribute>,
    /// A `#[timeout(..)]` written there: this case's limit (a `Duration` expression).
    pub timeout: Option<TokenStream>,
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
        CaseRow { attribute, name, values, attrs: Vec::new(), timeout: None }
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

/// A lint attribute: it goes on the user's function, whatever case it is written by.
pub fn is_lint(attribute: &Attribute) -> bool {
    ["allow", "warn", "deny", "forbid", "expect"].iter().any(|lint| attribute.path().is_ident(lint))
}

/// rstest's attributes on the test function: `#[awt]` (await every `#[future]` parameter)
/// and `#[trace]` (print the arguments).
fn is_fn_mark(attribute: &Attribute) -> bool {
    attribute.path().is_ident("awt") || attribute.path().is_ident("trace")
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
    /// rstest's attributes on it (`#[case]`, `#[from]`, `#[with]`, ..).
    pub marks: Marks<'a>,
    /// Where its value comes from.
    pub kind: Kind,
}

/// Where a parameter's value comes from.
pub enum Kind {
    /// `&T` / `&mut T`: the fixture of type `T`, from the test's stack.
    ByType,
    /// A case's value: `#[case]`, `#[values]`, `#[files]`, or — in a test whose rows mark no
    /// parameter `#[case]` — any parameter taken by value, in order.
    Case,
    /// The value of a fixture function found by name (rstest's injection).
    ByName(Box<ByName>),
    /// `#[default(value)]` on a fixture function's parameter.
    Default,
    /// `#[context]`: the running test's name and case.
    Context,
}

/// A fixture function's value, found by the parameter's name or at `#[from(path)]`.
pub struct ByName {
    /// The function (its type of the same name): the parameter's name, or `#[from]`'s path.
    pub path: syn::Path,
    /// How the parameter receives the value.
    pub form: Form,
    /// `false` for `#[future]` without `awt`: the parameter is the future itself.
    pub awaited: bool,
    /// What the name means when it finds no fixture function.
    pub fallback: Fallback,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `name: T`
    Value,
    /// `name: &T` (`#[by_ref]`, or a type no fixture can be)
    Ref,
    /// `name: &mut T`
    RefMut,
}

/// What a name that finds no fixture function stands for.
pub enum Fallback {
    /// testrig's `#[fixture(by_value)]` type of the parameter, moved out of the stack.
    ByType(Box<Type>),
    /// Nothing: a compile error at the parameter, naming the function.
    Missing,
}

/// How a test receives a fixture.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// `&T`
    Shared,
    /// `&mut T`
    Exclusive,
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
                        let files = crate::parse::files::parse(attribute, &original.attrs).map(|files| {
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
                let marks = Marks::read(&original.attrs);
                Some(Param { original, options, values, labels, marks, kind: Kind::ByType })
            }
            FnArg::Receiver(_) => None,
        }
    }

    /// Whether the test gets this parameter from `#[case]` rows or `#[values]`.
    pub fn is_case_value(&self) -> bool {
        matches!(self.kind, Kind::Case)
    }

    pub fn by_name(&self) -> Option<&ByName> {
        match &self.kind {
            Kind::ByName(by_name) => Some(by_name.as_ref()),
            _ => None,
        }
    }

    /// `T` of a parameter typed `&T` (or, of a test, `&mut T`) that is a fixture of the
    /// stack; `None` for any other (an error the checks report, or a value from elsewhere).
    pub fn fixture_type(&self) -> Option<&'a Type> {
        self.fixture_access().map(|(ty, _)| ty)
    }

    /// The fixture type and how it is received.
    pub fn fixture_access(&self) -> Option<(&'a Type, Access)> {
        if !matches!(self.kind, Kind::ByType) {
            return None;
        }
        match ungrouped(&self.original.ty) {
            Type::Reference(reference) if reference.mutability.is_none() => Some((&reference.elem, Access::Shared)),
            Type::Reference(reference) => Some((&reference.elem, Access::Exclusive)),
            _ => None,
        }
    }

    /// The parameter's name, when its pattern is one (`graph`, `mut graph`).
    pub fn ident(&self) -> Option<&'a syn::Ident> {
        match &*self.original.pat {
            syn::Pat::Ident(pat) if pat.subpat.is_none() => Some(&pat.ident),
            _ => None,
        }
    }

    /// A fixture function's value by name, with `fallback` where the name finds none; `None`
    /// for a pattern without a name and no `#[from]`.
    fn named(&self, fallback: Fallback) -> Option<Kind> {
        let path = match (&self.marks.from, self.ident()) {
            (Some((_, path)), _) => path.clone(),
            (None, Some(ident)) => syn::Path::from(ident.clone()),
            (None, None) => return None,
        };
        let form = match ungrouped(&self.original.ty) {
            Type::Reference(reference) if reference.mutability.is_some() => Form::RefMut,
            Type::Reference(_) => Form::Ref,
            _ => Form::Value,
        };
        let awaited = match self.marks.future {
            Some((_, awt)) => awt || self.marks.awt.is_some(),
            None => true,
        };
        Some(Kind::ByName(Box::new(ByName { path, form, awaited, fallback })))
    }
}

/// Where each test parameter's value comes from. rstest's reading when a parameter is
/// marked `#[case]`: only the marked ones are case values, and every parameter taken by value
/// is a fixture function's value by name. Without a mark, testrig's: in a test with rows,
/// the parameters taken by value are the rows' values, in order. Either way `&T` is the
/// fixture of type `T`, unless no fixture can be of that type (`&str`, `&[u8]`, `&Vec<T>`):
/// then it is a fixture function's value by name too (rstest's `#[once]` fixtures).
fn classify_test_params(params: &mut [Param], has_rows: bool, generics: &syn::Generics) {
    let marked = params.iter().any(|param| param.marks.case.is_some());
    for param in params.iter_mut() {
        param.kind = if param.marks.context.is_some() {
            Kind::Context
        } else if param.values.is_some() || param.marks.case.is_some() {
            Kind::Case
        } else if param.options.is_some() {
            Kind::ByType
        } else if param.marks.names_a_fixture_function() {
            param.named(Fallback::Missing).unwrap_or(Kind::ByType)
        } else {
            match ungrouped(&param.original.ty) {
                Type::Reference(reference)
                    if !marked && reference.lifetime.as_ref().is_some_and(|lifetime| lifetime.ident == "static") =>
                {
                    Kind::Case
                }
                Type::Reference(reference) if could_be_a_fixture(&reference.elem) => Kind::ByType,
                Type::Reference(_) => param.named(Fallback::Missing).unwrap_or(Kind::ByType),
                _ if has_rows && !marked => Kind::Case,
                ty => {
                    // A type of the test's generics is no fixture's: the stand-in is then none.
                    let fallback = match could_be_a_fixture(ty) && !mentions_generics(ty, generics) {
                        true => Fallback::ByType(Box::new(ty.clone())),
                        false => Fallback::Missing,
                    };
                    param.named(fallback).unwrap_or(Kind::Case)
                }
            }
        };
    }
}

/// The parameters of a fixture function: `&T` a fixture of the stack (as a test's), by value
/// another fixture function's value by name, `#[default(v)]` that value.
fn classify_fixture_params(params: &mut [Param]) {
    for param in params.iter_mut() {
        param.kind = if param.options.is_some() || param.marks.context.is_some() || param.marks.case.is_some() {
            Kind::ByType
        } else if param.marks.default.is_some() {
            Kind::Default
        } else if param.marks.names_a_fixture_function() {
            param.named(Fallback::Missing).unwrap_or(Kind::ByType)
        } else {
            match ungrouped(&param.original.ty) {
                Type::Reference(reference) if could_be_a_fixture(&reference.elem) => Kind::ByType,
                _ => param.named(Fallback::Missing).unwrap_or(Kind::ByType),
            }
        };
    }
}

/// Whether `ty` may be a fixture type: a path to a type of some crate's own (the orphan rule
/// leaves std's types, tuples, slices and references to std, where no `#[fixture]` can be).
fn could_be_a_fixture(ty: &Type) -> bool {
    const STD: &[&str] = &[
        "Vec", "Option", "Box", "Arc", "Rc", "HashMap", "HashSet", "BTreeMap", "BTreeSet", "VecDeque", "PathBuf",
        "Path", "Duration", "Cow", "Mutex", "RwLock", "RefCell", "Cell", "OsString", "OsStr",
    ];
    match ungrouped(ty) {
        Type::Path(path) if path.qself.is_none() && !is_plain_value(ty) => {
            let first = path.path.segments.first().map(|segment| segment.ident.to_string()).unwrap_or_default();
            let last = path.path.segments.last().map(|segment| segment.ident.to_string()).unwrap_or_default();
            !matches!(first.as_str(), "std" | "core" | "alloc") && !STD.contains(&last.as_str())
        }
        _ => false,
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

#[derive(Clone, Copy)]
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
    pub fn from_fn(item: &'a ItemFn, mut options: crate::parse::fixture_options::FixtureOptions) -> Self {
        // rstest's spelling of `scope = once`.
        if let Some(once) = item.attrs.iter().find(|attribute| attribute.path().is_ident("once")) {
            options.once.get_or_insert(syn::spanned::Spanned::span(once.path()));
        }
        let mut setup = SetupFn::from_sig(&item.sig);
        classify_fixture_params(&mut setup.params);
        let wrapper = match setup.output.value_type() {
            Some(value) if item.sig.generics.params.is_empty() => {
                let wrapper = syn::Ident::new(&camel_case(&item.sig.ident), item.sig.ident.span());
                Some((wrapper, value.clone()))
            }
            _ => None,
        };
        let mut def = FixtureDef {
            source: FixtureSource::Fn(item),
            self_ty: None,
            wrapper,
            setup: Some(setup),
            teardown: None,
            options,
        };
        // Found by name only, when no wrapper can be: it returns `impl Trait`, its own type's
        // name (`fn client() -> Client`), or a name of std's prelude (`fn result()`).
        if def.wrapper_clash() {
            def.wrapper = None;
        }
        // In the function's module (`expand::fixture_fn::module`), re-exported beside it.
        let module = fixture_module(&item.sig.ident);
        def.self_ty = def.wrapper.as_ref().map(|(wrapper, _)| syn::parse_quote!(#module::#wrapper));
        def
    }
}

impl FixtureDef<'_> {
    /// Whether the wrapper a function fixture would define cannot be: `-> impl Trait` (no
    /// field can hold it), `fn client() -> Client` (`struct Client(Client)`), or a name of
    /// std's prelude (`fn result()` would hide `Result` from the module).
    pub fn wrapper_clash(&self) -> bool {
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
        let Some((wrapper, value)) = self.wrapper.as_ref() else { return false };
        let name = wrapper.to_string();
        contains_impl_trait(value)
            || last_ident(value).is_some_and(|ident| *ident == name)
            || PRELUDE.contains(&name.as_str())
    }
}

/// The module a fixture function's types live in (`__testrig_fixture_graph`), re-exported
/// with a glob: an item of the user's own of a name the macro would define (`struct
/// TwoNumerals` beside `fn two_numerals`) shadows the glob's instead of clashing with it.
pub fn fixture_module(function: &syn::Ident) -> syn::Ident {
    let name = function.to_string();
    syn::Ident::new(&format!("__testrig_fixture_{}", name.trim_start_matches("r#")), proc_macro2::Span::call_site())
}

/// Whether `impl Trait` appears anywhere in `ty` (`(A, impl FnMut())`): no field can hold it.
fn contains_impl_trait(ty: &Type) -> bool {
    any_ident(ty, &|ident| ident == "impl")
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
            fn hosts(cells: &Cells) -> Result<HostList, Error> {
                todo!()
            }
        );
        let def = FixtureDef::from_fn(&item, Default::default());
        assert_eq!(def.self_ty.unwrap().to_token_stream().to_string(), "__testrig_fixture_hosts :: Hosts");
    }

    #[test]
    fn a_test_receives_fixtures_by_type_or_values_by_name() {
        let item: ItemFn = syn::parse_quote!(
            fn t(a: &A, b: &mut B, c: C, n: u32, s: &str) {}
        );
        let cx = Ctxt::new();
        let test = TestFn::from_syn(OurAttribute::FixtureTest, TokenStream::new(), &item, &cx);
        cx.check().unwrap();
        let found: Vec<Option<Access>> = test.params.iter().map(|p| p.fixture_access().map(|(_, a)| a)).collect();
        assert_eq!(found, [Some(Access::Shared), Some(Access::Exclusive), None, None, None]);
        // By value, or a reference to a type no fixture can be: a fixture function's value by
        // name; `C` may also be a `#[fixture(by_value)]` type, which `u32` and `str` cannot.
        let fallbacks: Vec<Option<bool>> = test
            .params
            .iter()
            .map(|p| p.by_name().map(|by_name| matches!(by_name.fallback, Fallback::ByType(_))))
            .collect();
        assert_eq!(fallbacks, [None, None, Some(true), Some(false), Some(false)]);
    }

    #[test]
    fn a_case_mark_makes_the_unmarked_parameters_fixture_functions() {
        let item: ItemFn = syn::parse_quote!(
            #[case(1)]
            fn t(#[case] n: u32, graph: Graph, g: &G) {}
        );
        let cx = Ctxt::new();
        let test = TestFn::from_syn(OurAttribute::FixtureTest, TokenStream::new(), &item, &cx);
        cx.check().unwrap();
        assert!(test.params[0].is_case_value());
        assert!(test.params[1].by_name().is_some_and(|by_name| by_name.path.is_ident("graph")));
        assert!(test.params[2].fixture_type().is_some());
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
        assert_eq!(def.self_ty.to_token_stream().to_string(), "__testrig_fixture_scratch_dir :: ScratchDir");
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
