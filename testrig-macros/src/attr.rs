//! Parsing the arguments of our attributes: `#[testrig::test(..)]`, `#[with(..)]`, and
//! recognising which attributes on a test function are ours.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, Token, Type};

use crate::ctxt::Ctxt;
use crate::messages;

/// The runtime a test asked for, each option with the span of its key.
#[derive(Default)]
pub struct TestOptions {
    pub flavor: Option<(Flavor, Span)>,
    pub worker_threads: Option<(usize, Span)>,
    /// `allow_leaks`: tasks and threads still running after teardown do not fail the test.
    pub allow_leaks: Option<Span>,
    /// `no_autouse`: no `#[fixture(autouse)]` fixture applies to this test.
    pub no_autouse: Option<Span>,
    /// `start_paused = true`: the async test's tokio clock starts paused.
    pub start_paused: Option<(bool, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    CurrentThread,
    MultiThread,
}

const TEST_OPTIONS: &[&str] = &["flavor", "worker_threads", "start_paused", "allow_leaks", "no_autouse"];

/// `#[fixture(autouse)]`.
#[derive(Default)]
pub struct FixtureOptions {
    /// Applies to every fixture test of the module that defines it and of its submodules.
    pub autouse: Option<Span>,
    /// `autouse = crate`: to every fixture test of the crate (binary) that defines it, as from
    /// a `tests/common/mod.rs` the test files include.
    pub autouse_crate: bool,
    /// `by_value`: tests may take it by value (`conn: Connection`), skipping its teardown.
    pub by_value: Option<Span>,
    /// `scope = once`: set up once per process and shared; where it was written.
    pub once: Option<Span>,
    seen_scope: bool,
}

const FIXTURE_OPTIONS: &[&str] = &["autouse", "by_value", "scope"];

impl FixtureOptions {
    pub fn parse(args: TokenStream, cx: &Ctxt) -> Self {
        let mut options = FixtureOptions::default();
        if args.is_empty() {
            return options;
        }
        let Some(metas) = parse_list::<Meta>(args, cx) else { return options };
        for meta in metas {
            let key = meta.path();
            let key_text = key.get_ident().map(ToString::to_string).unwrap_or_else(|| path_text(key));
            match (&meta, key_text.as_str()) {
                (Meta::Path(_), "autouse") if options.autouse.is_some() => {
                    cx.error_spanned_by(key, messages::duplicate_option("autouse"))
                }
                (Meta::Path(_), "autouse") => options.autouse = Some(syn::spanned::Spanned::span(key)),
                (Meta::NameValue(_), "autouse") if options.autouse.is_some() => {
                    cx.error_spanned_by(key, messages::duplicate_option("autouse"))
                }
                (Meta::NameValue(name_value), "autouse") if is_crate(&name_value.value) => {
                    options.autouse = Some(syn::spanned::Spanned::span(key));
                    options.autouse_crate = true;
                }
                (_, "autouse") => cx.error_spanned_by(&meta, messages::AUTOUSE_FLAG),
                (Meta::Path(_), "by_value") if options.by_value.is_some() => {
                    cx.error_spanned_by(key, messages::duplicate_option("by_value"))
                }
                (Meta::Path(_), "by_value") => options.by_value = Some(syn::spanned::Spanned::span(key)),
                (_, "by_value") => cx.error_spanned_by(&meta, messages::BY_VALUE_FLAG),
                (Meta::NameValue(_), "scope") if options.seen_scope => {
                    cx.error_spanned_by(key, messages::duplicate_option("scope"))
                }
                (Meta::NameValue(name_value), "scope") => {
                    options.seen_scope = true;
                    match &name_value.value {
                        Expr::Path(path) if path.path.is_ident("once") => {
                            options.once = Some(syn::spanned::Spanned::span(&name_value.value))
                        }
                        Expr::Path(path) if path.path.is_ident("test") => {}
                        other => cx.error_spanned_by(other, messages::UNKNOWN_SCOPE),
                    }
                }
                (_, "scope") => cx.error_spanned_by(&meta, messages::UNKNOWN_SCOPE),
                _ => cx.error_spanned_by(key, messages::unknown_option("fixture", &key_text, FIXTURE_OPTIONS)),
            }
        }
        options
    }
}

/// `crate` (a keyword, so an `Expr::Path` of one segment `crate`).
fn is_crate(value: &Expr) -> bool {
    matches!(value, Expr::Path(path) if path.qself.is_none() && path.path.segments.len() == 1
        && path.path.segments[0].ident == "crate")
}

impl TestOptions {
    /// Parses `flavor = "..", worker_threads = N` into `self`; several `#[testrig::test]`
    /// attributes are rejected before this, so a repeated key is always a duplicate.
    pub fn parse_into(&mut self, args: TokenStream, cx: &Ctxt) {
        if args.is_empty() {
            return;
        }
        let Some(metas) = parse_list::<Meta>(args, cx) else { return };
        for meta in metas {
            let key = meta.path();
            let key_text = key.get_ident().map(ToString::to_string).unwrap_or_else(|| path_text(key));
            let span = syn::spanned::Spanned::span(key);
            let flag = match key_text.as_str() {
                "allow_leaks" => Some(&mut self.allow_leaks),
                "no_autouse" => Some(&mut self.no_autouse),
                _ => None,
            };
            if let Some(flag) = flag {
                match &meta {
                    Meta::Path(_) if flag.is_some() => cx.error_spanned_by(key, messages::duplicate_option(&key_text)),
                    Meta::Path(_) => *flag = Some(span),
                    _ => cx.error_spanned_by(&meta, messages::flag_with_value(&key_text)),
                }
                continue;
            }
            let Meta::NameValue(name_value) = &meta else {
                if TEST_OPTIONS.contains(&key_text.as_str()) {
                    cx.error_spanned_by(&meta, format!("`{key_text}` needs a value: write `{key_text} = ..`"));
                } else {
                    cx.error_spanned_by(key, messages::unknown_option("testrig::test", &key_text, TEST_OPTIONS));
                }
                continue;
            };
            match key_text.as_str() {
                "flavor" => {
                    if self.flavor.is_some() {
                        cx.error_spanned_by(key, messages::duplicate_option("flavor"));
                        continue;
                    }
                    match literal(&name_value.value) {
                        Some(Lit::Str(text)) if text.value() == "current_thread" => {
                            self.flavor = Some((Flavor::CurrentThread, span))
                        }
                        Some(Lit::Str(text)) if text.value() == "multi_thread" => {
                            self.flavor = Some((Flavor::MultiThread, span))
                        }
                        _ => cx.error_spanned_by(&name_value.value, messages::BAD_FLAVOR),
                    }
                }
                "worker_threads" => {
                    if self.worker_threads.is_some() {
                        cx.error_spanned_by(key, messages::duplicate_option("worker_threads"));
                        continue;
                    }
                    match literal(&name_value.value) {
                        Some(Lit::Int(int)) => match int.base10_parse::<usize>() {
                            Ok(count) if count > 0 => self.worker_threads = Some((count, span)),
                            _ => cx.error_spanned_by(&name_value.value, messages::BAD_WORKERS),
                        },
                        _ => cx.error_spanned_by(&name_value.value, messages::BAD_WORKERS),
                    }
                }
                "start_paused" => {
                    if self.start_paused.is_some() {
                        cx.error_spanned_by(key, messages::duplicate_option("start_paused"));
                        continue;
                    }
                    match literal(&name_value.value) {
                        Some(Lit::Bool(value)) => self.start_paused = Some((value.value, span)),
                        _ => cx.error_spanned_by(&name_value.value, messages::BAD_START_PAUSED),
                    }
                }
                other => cx.error_spanned_by(key, messages::unknown_option("testrig::test", other, TEST_OPTIONS)),
            }
        }
    }
}

fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(lit) => Some(&lit.lit),
        _ => None,
    }
}

pub fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
    let joined = segments.join("::");
    if path.leading_colon.is_some() {
        format!("::{joined}")
    } else {
        joined
    }
}

/// One entry of `#[with(Type, Other = config)]`.
pub struct WithEntry {
    pub ty: Type,
    pub config: Option<Expr>,
}

impl Parse for WithEntry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ty: Type = input.parse()?;
        let config = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(WithEntry { ty, config })
    }
}

/// Parses the arguments of one `#[with(..)]`; `attribute` is where it was written, or `None`
/// when it is the attribute being expanded (then the call site is the attribute).
pub fn parse_with(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Vec<WithEntry> {
    match parse_list::<WithEntry>(args, cx) {
        Some(entries) if entries.is_empty() => {
            report_at(attribute, messages::EMPTY_WITH, cx);
            Vec::new()
        }
        Some(entries) => entries.into_iter().collect(),
        None => Vec::new(),
    }
}

/// One `#[conf(..)]`: which `Conf` static it targets and the fields it assigns.
pub struct ConfAttr {
    /// `in = path`, or `None` for `CONF` in scope at the test.
    pub target: Option<syn::Path>,
    pub assignments: Vec<ConfAssign>,
    /// Where the attribute is written: the span of the implicit `CONF`.
    pub span: Span,
}

/// `compute.rpc_response_timeout = 10`.
pub struct ConfAssign {
    pub field: Vec<syn::Member>,
    pub value: Expr,
}

/// `in = path::to::STATIC`: which static an attribute works on (a `Conf`, a `Schema`).
struct Target {
    keyword: Token![in],
    path: syn::Path,
}

impl Target {
    /// Parses `in = path` if the input starts with `in`.
    fn parse_if_present(input: ParseStream) -> syn::Result<Option<Target>> {
        if !input.peek(Token![in]) {
            return Ok(None);
        }
        let keyword = input.parse()?;
        input.parse::<Token![=]>()?;
        Ok(Some(Target { keyword, path: input.parse()? }))
    }

    /// Stores the path in `slot`, or reports a second `in`.
    fn store(self, slot: &mut Option<syn::Path>, cx: &Ctxt) {
        if slot.is_some() {
            cx.error_spanned_by(self.keyword, messages::duplicate_option("in"));
        } else {
            *slot = Some(self.path);
        }
    }
}

/// Parses the comma-separated arguments of one attribute, recording a syntax error.
fn parse_list<T: Parse>(args: TokenStream, cx: &Ctxt) -> Option<Punctuated<T, Token![,]>> {
    match syn::parse::Parser::parse2(Punctuated::<T, Token![,]>::parse_terminated, args) {
        Ok(items) => Some(items),
        Err(error) => {
            cx.syn_error(error);
            None
        }
    }
}

enum ConfItem {
    Target(Target),
    Assign(ConfAssign),
}

impl Parse for ConfItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if let Some(target) = Target::parse_if_present(input)? {
            return Ok(ConfItem::Target(target));
        }
        let mut field = vec![syn::Member::Named(input.call(syn::ext::IdentExt::parse_any)?)];
        while input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            field.push(input.parse()?);
        }
        if !input.peek(Token![=]) {
            if input.is_empty() || input.peek(Token![,]) {
                // Spanned at the field: at the end of the input `input.error` would point at
                // the test's attribute instead.
                let message = messages::conf_field_without_value(&field_text(&field));
                return Err(syn::Error::new_spanned(quote::quote!(#(#field).*), message));
            }
            return Err(input.error(messages::CONF_SYNTAX));
        }
        input.parse::<Token![=]>()?;
        Ok(ConfItem::Assign(ConfAssign { field, value: input.parse()? }))
    }
}

impl ConfAssign {
    pub fn key_text(&self) -> String {
        field_text(&self.field)
    }
}

/// `compute.rpc_response_timeout`, as written.
fn field_text(field: &[syn::Member]) -> String {
    field
        .iter()
        .map(|member| match member {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Parses one `#[conf(..)]`; `attribute` as for [`parse_with`].
pub fn parse_conf(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<ConfAttr> {
    let span = attribute.map_or_else(Span::call_site, |attribute| {
        attribute.path().segments.last().map_or_else(Span::call_site, |segment| segment.ident.span())
    });
    let items = parse_list::<ConfItem>(args, cx)?;
    let mut conf = ConfAttr { target: None, assignments: Vec::new(), span };
    let mut keys: Vec<String> = Vec::new();
    for item in items {
        match item {
            ConfItem::Target(target) => target.store(&mut conf.target, cx),
            ConfItem::Assign(assign) => {
                let key = assign.key_text();
                if keys.contains(&key) {
                    let field = &assign.field;
                    cx.error_spanned_by(quote::quote!(#(#field).*), messages::duplicate_conf_key(&key));
                }
                keys.push(key);
                conf.assignments.push(assign);
            }
        }
    }
    if conf.assignments.is_empty() {
        report_at(attribute, messages::EMPTY_CONF, cx);
    }
    Some(conf)
}

/// One variable of `#[env(KEY = "value", OTHER = unset)]`.
pub struct EnvEntry {
    pub key: String,
    pub key_span: Span,
    /// `None` for `unset`.
    pub value: Option<String>,
}

impl Parse for EnvEntry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (key, key_span) = if input.peek(syn::LitStr) {
            let key: syn::LitStr = input.parse()?;
            (key.value(), key.span())
        } else {
            let key: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
            (key.to_string(), key.span())
        };
        if key.is_empty() || key.contains('=') || key.contains('\0') {
            return Err(syn::Error::new(key_span, messages::BAD_ENV_KEY));
        }
        input.parse::<Token![=]>()?;
        let value = if input.peek(syn::LitStr) {
            Some(input.parse::<syn::LitStr>()?.value())
        } else if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "unset" {
            input.parse::<syn::Ident>()?;
            None
        } else {
            let value: Expr = input.parse()?;
            return Err(syn::Error::new_spanned(value, messages::BAD_ENV_VALUE));
        };
        if value.as_deref().is_some_and(|value| value.contains('\0')) {
            return Err(input.error(messages::BAD_ENV_VALUE));
        }
        Ok(EnvEntry { key, key_span, value })
    }
}

/// Parses one `#[env(..)]`, reporting keys repeated within `seen` (all `#[env]`s of a test).
pub fn parse_env(args: TokenStream, attribute: Option<&Attribute>, seen: &[EnvEntry], cx: &Ctxt) -> Vec<EnvEntry> {
    let Some(entries) = parse_list::<EnvEntry>(args, cx) else { return Vec::new() };
    if entries.is_empty() {
        report_at(attribute, messages::EMPTY_ENV, cx);
    }
    let mut parsed: Vec<EnvEntry> = Vec::new();
    for entry in entries {
        if seen.iter().chain(&parsed).any(|earlier| earlier.key == entry.key) {
            cx.error_at(entry.key_span, messages::duplicate_env_key(&entry.key));
        }
        parsed.push(entry);
    }
    parsed
}

/// Our attributes that may sit on a test function; any of them can start the expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OurAttribute {
    /// `#[testrig::test(..)]`.
    FixtureTest,
    /// `#[with(..)]`.
    With,
    /// `#[conf(..)]`.
    Conf,
    /// `#[env(..)]`.
    Env,
    /// `#[with_cells(..)]`.
    WithCells,
    /// `#[poison_db]`.
    PoisonDb,
    /// `#[capture_logs]`.
    CaptureLogs,
    /// `#[timeout(secs)]`.
    Timeout,
    /// `#[service(start_fn, ..)]`.
    Service,
    /// `#[database(..)]`.
    Database,
    /// `#[databases(..)]`.
    Databases,
}

impl OurAttribute {
    /// The attribute's name under `testrig::` (`test`, `with_cells`).
    pub fn path_name(self) -> &'static str {
        match self {
            OurAttribute::FixtureTest => "test",
            OurAttribute::With => "with",
            OurAttribute::Conf => "conf",
            OurAttribute::Env => "env",
            OurAttribute::WithCells => "with_cells",
            OurAttribute::PoisonDb => "poison_db",
            OurAttribute::CaptureLogs => "capture_logs",
            OurAttribute::Timeout => "timeout",
            OurAttribute::Service => "service",
            OurAttribute::Database => "database",
            OurAttribute::Databases => "databases",
        }
    }

    /// The attribute, and the facade feature it needs, when it needs one.
    pub fn feature(self) -> Option<(&'static str, crate::features::Feature)> {
        use crate::features::Feature;
        match self {
            OurAttribute::WithCells => Some(("`#[with_cells]`", Feature::Any)),
            OurAttribute::PoisonDb => Some(("`#[poison_db]`", Feature::Db)),
            OurAttribute::Database => Some(("`#[database]`", Feature::Db)),
            OurAttribute::Databases => Some(("`#[databases]`", Feature::Db)),
            OurAttribute::CaptureLogs => Some(("`#[capture_logs]`", Feature::Logs)),
            OurAttribute::Service => Some(("`#[service]`", Feature::Async)),
            OurAttribute::FixtureTest
            | OurAttribute::With
            | OurAttribute::Conf
            | OurAttribute::Env
            | OurAttribute::Timeout => None,
        }
    }
}

/// What an attribute on a test function is to us.
pub enum TestAttr<'a> {
    /// One of ours, bare (`#[with(..)]`) or under `testrig::` (`#[testrig::with(..)]`).
    Ours(OurAttribute, &'a Attribute),
    /// `#[test]`, or the `#[::core::prelude::v1::test]` another test macro left.
    PlainTest(&'a Attribute),
    /// `#[tokio::test]`.
    TokioTest(&'a Attribute),
    /// `#[case(..)]` or `#[case::name(..)]`: one row of values for the case parameters.
    Case(&'a Attribute),
    /// Anything else: kept on the generated test as written.
    Other(&'a Attribute),
}

impl<'a> TestAttr<'a> {
    pub fn classify(attribute: &'a Attribute) -> Self {
        let path = attribute.path();
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let ours = |name: &str| match name {
            "with" => Some(OurAttribute::With),
            "conf" => Some(OurAttribute::Conf),
            "env" => Some(OurAttribute::Env),
            "with_cells" => Some(OurAttribute::WithCells),
            "poison_db" => Some(OurAttribute::PoisonDb),
            "capture_logs" => Some(OurAttribute::CaptureLogs),
            "timeout" => Some(OurAttribute::Timeout),
            "service" => Some(OurAttribute::Service),
            "database" => Some(OurAttribute::Database),
            "databases" => Some(OurAttribute::Databases),
            _ => None,
        };
        match segments.as_slice() {
            ["testrig", "test"] => TestAttr::Ours(OurAttribute::FixtureTest, attribute),
            [name] | ["testrig", name] if ours(name).is_some() => match ours(name) {
                Some(kind) => TestAttr::Ours(kind, attribute),
                None => TestAttr::Other(attribute),
            },
            ["test"] | ["core" | "std", "prelude", _, "test"] => TestAttr::PlainTest(attribute),
            ["tokio", "test"] => TestAttr::TokioTest(attribute),
            ["case"] | ["case", _] | ["testrig", "case"] => TestAttr::Case(attribute),
            _ => TestAttr::Other(attribute),
        }
    }
}

/// `#[with_cells(cell1, cell2)]`, `#[with_cells(in = path::to::SCHEMA, cell1)]`.
pub struct CellsAttr {
    pub schema: Option<syn::Path>,
    pub names: Vec<String>,
}

enum CellItem {
    Schema(Target),
    Name(syn::Ident),
}

impl Parse for CellItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if let Some(target) = Target::parse_if_present(input)? {
            return Ok(CellItem::Schema(target));
        }
        if input.peek(syn::Ident) && !input.peek2(Token![-]) && !input.peek2(Token![.]) && !input.peek2(Token![::]) {
            return Ok(CellItem::Name(input.parse()?));
        }
        // Anything else up to the next comma is not a cell name.
        Err(syn::Error::new_spanned(until_comma(input)?, messages::BAD_CELL_NAME))
    }
}

/// The tokens of one list item: everything up to the next comma.
fn until_comma(input: ParseStream) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut tokens = TokenStream::new();
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            tokens.extend([tt]);
            rest = next;
        }
        Ok((tokens, rest))
    })
}

/// One start function of `#[service(start_api, crate::scheduler::start)]`.
struct ServiceItem(syn::Path);

impl Parse for ServiceItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let tokens = until_comma(input)?;
        match syn::parse2::<syn::Path>(tokens.clone()) {
            Ok(path) if !tokens.is_empty() => Ok(ServiceItem(path)),
            _ => Err(syn::Error::new_spanned(tokens, messages::SERVICE_NOT_PATH)),
        }
    }
}

/// `#[service(a, b)]`: the start functions, each once (by its last name, the one the test
/// looks it up by); `known` holds those of earlier `#[service]` attributes.
pub fn parse_services(
    args: TokenStream,
    attribute: Option<&Attribute>,
    known: &[syn::Path],
    cx: &Ctxt,
) -> Vec<syn::Path> {
    if args.is_empty() {
        report_at(attribute, messages::EMPTY_SERVICE, cx);
        return Vec::new();
    }
    let Some(items) = parse_list::<ServiceItem>(args, cx) else { return Vec::new() };
    let mut parsed: Vec<syn::Path> = Vec::new();
    for ServiceItem(path) in items {
        let name = service_name(&path);
        if known.iter().chain(&parsed).any(|earlier| service_name(earlier) == name) {
            cx.error_spanned_by(&path, messages::duplicate_service(&name));
        } else {
            parsed.push(path);
        }
    }
    parsed
}

/// What a test calls a service: its start function's own name.
pub fn service_name(path: &syn::Path) -> String {
    path.segments.last().map(|segment| segment.ident.to_string()).unwrap_or_default()
}

pub fn parse_cells(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<CellsAttr> {
    let items = parse_list::<CellItem>(args, cx)?;
    let mut cells = CellsAttr { schema: None, names: Vec::new() };
    for item in items {
        match item {
            CellItem::Schema(target) => target.store(&mut cells.schema, cx),
            CellItem::Name(name) => {
                let text = name.to_string();
                if text == "api" || text == "cell0" {
                    cx.error_spanned_by(&name, messages::reserved_cell_name(&text));
                } else if cells.names.contains(&text) {
                    cx.error_spanned_by(&name, messages::duplicate_cell(&text));
                } else {
                    cells.names.push(text);
                }
            }
        }
    }
    if cells.names.is_empty() {
        report_at(attribute, messages::EMPTY_CELLS, cx);
    }
    Some(cells)
}

/// Reports `message` at `attribute`, or at the call site when the attribute is the one being
/// expanded (its tokens are not in the item then).
pub fn report_at(attribute: Option<&Attribute>, message: &str, cx: &Ctxt) {
    match attribute {
        Some(attribute) => cx.error_spanned_by(attribute, message),
        None => cx.error_at(Span::call_site(), message),
    }
}

/// `#[timeout(10)]`, `#[timeout(0.5)]`: the limit in whole milliseconds.
pub fn parse_timeout(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<u64> {
    if args.is_empty() {
        report_at(attribute, messages::TIMEOUT_VALUE, cx);
        return None;
    }
    let seconds = match syn::parse2::<syn::Lit>(args.clone()) {
        Ok(syn::Lit::Int(int)) if int.suffix().is_empty() => int.base10_parse::<u32>().ok().map(f64::from),
        Ok(syn::Lit::Float(float)) if float.suffix().is_empty() => float.base10_parse::<f64>().ok(),
        _ => None,
    };
    let Some(seconds) = seconds.filter(|seconds| seconds.is_finite()) else {
        cx.error_spanned_by(&args, messages::TIMEOUT_VALUE);
        return None;
    };
    let millis = (seconds * 1000.0).round();
    if millis < 1.0 {
        cx.error_spanned_by(&args, messages::TIMEOUT_POSITIVE);
        return None;
    }
    Some(millis as u64)
}

/// The arguments inside an attribute's parentheses (empty for `#[name]`); `None`, with the
/// error recorded, for the `#[name = ..]` form.
pub fn attribute_args(attribute: &Attribute, cx: &Ctxt) -> Option<TokenStream> {
    match &attribute.meta {
        Meta::Path(_) => Some(TokenStream::new()),
        Meta::List(list) => Some(list.tokens.clone()),
        Meta::NameValue(name_value) => {
            cx.error_spanned_by(name_value, messages::NAME_VALUE_ATTRIBUTE);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn options(args: TokenStream) -> (TestOptions, Vec<String>) {
        let cx = Ctxt::new();
        let mut options = TestOptions::default();
        options.parse_into(args, &cx);
        let errors = match cx.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (options, errors)
    }

    #[test]
    fn parses_flavor_and_workers() {
        let (parsed, errors) = options(quote!(flavor = "multi_thread", worker_threads = 3));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(parsed.flavor.map(|(f, _)| f), Some(Flavor::MultiThread));
        assert_eq!(parsed.worker_threads.map(|(n, _)| n), Some(3));
    }

    #[test]
    fn reports_every_bad_option() {
        let (_, errors) = options(quote!(flavour = "x", flavor = "fast", worker_threads = 0));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("unknown option `flavour`"));
        assert!(errors[0].contains("`flavor`, `worker_threads`"));
        assert_eq!(errors[1], messages::BAD_FLAVOR);
        assert_eq!(errors[2], messages::BAD_WORKERS);
    }

    #[test]
    fn duplicate_option_is_an_error() {
        let (_, errors) = options(quote!(flavor = "multi_thread", flavor = "current_thread"));
        assert_eq!(errors, [messages::duplicate_option("flavor")]);
    }

    #[test]
    fn with_entries_take_optional_config() {
        let cx = Ctxt::new();
        let entries = parse_with(quote!(A, b::B = vec![1], C), None, &cx);
        cx.check().unwrap();
        assert_eq!(entries.len(), 3);
        assert!(entries[1].config.is_some() && entries[0].config.is_none());
    }

    #[test]
    fn classifies_test_attributes() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[testrig::test]),
            syn::parse_quote!(#[with(A)]),
            syn::parse_quote!(#[testrig::with_cells(cell1)]),
            syn::parse_quote!(#[test]),
            syn::parse_quote!(#[::core::prelude::v1::test]),
            syn::parse_quote!(#[tokio::test]),
            syn::parse_quote!(#[should_panic]),
            syn::parse_quote!(#[case::named(1)]),
        ];
        let kinds: Vec<String> = attrs
            .iter()
            .map(|a| match TestAttr::classify(a) {
                TestAttr::Ours(kind, _) => format!("{kind:?}"),
                TestAttr::PlainTest(_) => "plain".into(),
                TestAttr::TokioTest(_) => "tokio".into(),
                TestAttr::Other(_) => "other".into(),
                TestAttr::Case(_) => "case".into(),
            })
            .collect();
        assert_eq!(kinds, ["FixtureTest", "With", "WithCells", "plain", "plain", "tokio", "other", "case"]);
    }

    #[test]
    fn cells_reject_reserved_duplicate_and_non_identifier_names() {
        let cx = Ctxt::new();
        let cells = parse_cells(quote!(in = db::SCHEMA, cell1, api, cell1, cell0), None, &cx).unwrap();
        assert_eq!(cells.names, ["cell1"]);
        assert!(cells.schema.is_some());
        parse_cells(quote!("cell 1"), None, &cx);
        let errors: Vec<String> = cx.check().unwrap_err().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            [
                messages::reserved_cell_name("api"),
                messages::duplicate_cell("cell1"),
                messages::reserved_cell_name("cell0"),
                messages::BAD_CELL_NAME.to_owned(),
            ]
        );
    }
}

#[cfg(test)]
mod conf_env_tests {
    use super::*;
    use quote::quote;

    fn errors(cx: Ctxt) -> Vec<String> {
        cx.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default()
    }

    #[test]
    fn conf_reads_target_and_dotted_fields() {
        let cx = Ctxt::new();
        let conf =
            parse_conf(quote!(in = crate::settings::CONF, compute.rpc_response_timeout = 10, tuple.0 = 1), None, &cx)
                .unwrap();
        assert!(errors(cx).is_empty());
        assert!(conf.target.is_some());
        let keys: Vec<String> = conf.assignments.iter().map(ConfAssign::key_text).collect();
        assert_eq!(keys, ["compute.rpc_response_timeout", "tuple.0"]);
    }

    #[test]
    fn conf_rejects_duplicates_and_empty() {
        let cx = Ctxt::new();
        parse_conf(quote!(a.b = 1, a.b = 2), None, &cx);
        parse_conf(quote!(), None, &cx);
        assert_eq!(errors(cx), [messages::duplicate_conf_key("a.b"), messages::EMPTY_CONF.to_owned()]);
    }

    #[test]
    fn env_reads_values_and_unset() {
        let cx = Ctxt::new();
        let entries = parse_env(quote!(RUST_LOG = "debug", "MY-VAR" = unset), None, &[], &cx);
        assert!(errors(cx).is_empty());
        assert_eq!(entries[0].value.as_deref(), Some("debug"));
        assert_eq!(entries[1].key, "MY-VAR");
        assert!(entries[1].value.is_none());
    }

    #[test]
    fn env_rejects_non_string_values_and_repeated_keys() {
        let cx = Ctxt::new();
        parse_env(quote!(PORT = 8080), None, &[], &cx);
        let first = parse_env(quote!(A = "1"), None, &[], &cx);
        parse_env(quote!(A = "2"), None, &first, &cx);
        assert_eq!(errors(cx), [messages::BAD_ENV_VALUE.to_owned(), messages::duplicate_env_key("A")]);
    }
}
