//! The cases of a parametrized test: every `#[case]` row (or one, without rows) times every
//! combination of the `#[values]` parameters. Each case is a shim that runs the test's one
//! `Test` value with its case number; the values are decoded from that number where they are
//! needed, one `match` per parameter — so the code grows with the values written, not with
//! the number of cases (10 × 10 × 10 values: 30 arms, 1,000 cases).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::{Attribute, Expr, Ident};

use crate::ast::TestFn;

/// One generated test.
pub struct Case<'a> {
    /// Its path below the test's module, as rstest names it: `case_2_cross_cell`, or
    /// `case_1` / `x_1_1` / `y_2___a__` (a module per `#[case]` row and per `#[values]`
    /// parameter but the last).
    pub path: Vec<Ident>,
    pub index: usize,
    /// The attributes written before this case's row (rstest's placement).
    pub attrs: Vec<&'a Attribute>,
    /// Its row's own `#[timeout]`.
    pub timeout: Option<&'a TokenStream>,
}

/// rstest's description of a value: its tokens without whitespace, quotes as `__`, most
/// punctuation as `_`, anything else that cannot be in an identifier dropped.
fn sanitized(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '"' | '\'' => "__".to_owned(),
            ':' | '(' | ')' | '{' | '}' | '[' | ']' | ',' | '.' | '*' | '+' | '/' | '-' | '%' | '^' | '!' | '&'
            | '|' => "_".to_owned(),
            c => c.to_string(),
        })
        .collect::<String>()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `x_2_a` for the second value of `x`, its description cut to 64 characters (rstest's).
fn value_name(param: &str, pick: usize, width: usize, description: &str) -> String {
    let description: String = sanitized(description).chars().take(64).collect();
    format!("{param}_{:0width$}_{description}", pick + 1)
}

/// A case value as written, or — a string literal for a parameter that is not a `&str` —
/// parsed with `FromStr` (`#[case("1.2.3.4:42")] addr: SocketAddr`), spanned at the literal
/// so a type without `FromStr` is reported there.
fn case_value(value: &Expr, ty: &syn::Type) -> TokenStream {
    match value {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })
            if !matches!(crate::ast::ungrouped(ty), syn::Type::Reference(_)) =>
        {
            quote::quote_spanned!(text.span()=> ::testrig::__private::parse_case::<#ty>(#text))
        }
        other => other.to_token_stream(),
    }
}

/// A parameter taken by value: where its values come from.
enum ValueSource<'a> {
    /// The `#[case]` rows, as their `column`-th value.
    Rows {
        column: usize,
    },
    Values(&'a [Expr]),
}

struct CaseParam<'a> {
    name: String,
    /// `#[files]`: each value's file, in the case names.
    labels: &'a [String],
    pat: &'a syn::Pat,
    ty: &'a syn::Type,
    source: ValueSource<'a>,
}

/// A parameter as it appears in case names: its identifier (`r#type` as `type`), or `argN`
/// for a pattern (`(a, b)`), so a case name is always an identifier.
fn pattern_name(pat: &syn::Pat, index: usize) -> String {
    match pat {
        syn::Pat::Ident(ident) => {
            let name = ident.ident.to_string();
            name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
        }
        _ => format!("arg{}", index + 1),
    }
}

fn case_params<'a>(test: &'a TestFn) -> Vec<CaseParam<'a>> {
    let mut column = 0;
    test.params
        .iter()
        .enumerate()
        .filter(|(_, param)| param.is_case_value())
        .map(|(index, param)| {
            let source = match &param.values {
                Some((_, Ok(values))) => ValueSource::Values(values),
                _ => {
                    column += 1;
                    ValueSource::Rows { column: column - 1 }
                }
            };
            let name = pattern_name(&param.original.pat, index);
            CaseParam { name, labels: &param.labels, pat: &param.original.pat, ty: &param.original.ty, source }
        })
        .collect()
}

/// Every case, numbered in the order [`bindings`] decodes: row-major, last `#[values]`
/// parameter fastest.
pub fn cases<'a>(test: &'a TestFn) -> Vec<Case<'a>> {
    let params = case_params(test);
    let rows: Vec<Option<usize>> =
        if test.cases.is_empty() { vec![None] } else { (0..test.cases.len()).map(Some).collect() };
    let row_width = digits(test.cases.len());
    let radices = radices(&params);
    let per_row: usize = radices.iter().product();
    let mut out = Vec::new();
    for row in rows {
        for within in 0..per_row {
            // Digits of `within`, first `#[values]` parameter most significant.
            let mut rest = within;
            let mut picks = vec![0; radices.len()];
            for (pick, radix) in picks.iter_mut().zip(&radices).rev() {
                *pick = rest % radix;
                rest /= radix;
            }
            let mut parts = Vec::new();
            let mut attrs = Vec::new();
            let mut timeout = None;
            if let Some(row) = row {
                let case = &test.cases[row];
                let mut part = format!("case_{:0row_width$}", row + 1);
                if let Some(name) = &case.name {
                    part.push('_');
                    part.push_str(&name.to_string());
                }
                parts.push(part);
                attrs.extend(case.attrs.iter().copied());
                timeout = case.timeout.as_ref();
            }
            // One level per `#[values]` parameter, in order, `#[files]` ones innermost.
            let mut levels: Vec<(bool, String)> = Vec::new();
            let mut next_pick = picks.iter();
            // Only `#[values]` parameters have a pick: a row parameter before one takes none.
            for param in &params {
                let ValueSource::Values(values) = &param.source else { continue };
                if let Some(pick) = next_pick.next() {
                    let width = digits(values.len());
                    let (is_file, description) = match param.labels.get(*pick) {
                        Some(path) => (true, path.clone()),
                        None => (false, values[*pick].to_token_stream().to_string()),
                    };
                    levels.push((is_file, value_name(&param.name, *pick, width, &description)));
                }
            }
            levels.sort_by_key(|(is_file, _)| *is_file);
            parts.extend(levels.into_iter().map(|(_, name)| name));
            let index = row.unwrap_or(0) * per_row + within;
            let path = parts.iter().map(|part| identifier(part)).collect();
            out.push(Case { path, index, attrs, timeout });
        }
    }
    out
}

/// A name part as an identifier: rstest's names always are, except a raw parameter name
/// (`r#type`) or a leading digit, which get a leading `_`.
fn identifier(part: &str) -> Ident {
    match syn::parse_str::<Ident>(part) {
        Ok(ident) => Ident::new(&ident.to_string(), Span::call_site()),
        Err(_) => Ident::new(&format!("_{part}"), Span::call_site()),
    }
}

/// Statements that bind the running case's values: `hidden` to `__testrig_arg_N` (what the
/// body passes to the test function), `named` to the parameters' own patterns (what `#[conf]`
/// and `#[with]` values may use).
pub struct Bindings {
    pub hidden: TokenStream,
    pub named: TokenStream,
}

pub fn bindings(test: &TestFn) -> Bindings {
    let params = case_params(test);
    let radices = radices(&params);
    let per_row: usize = radices.iter().product();
    // `__testrig_row` for the rows, `__testrig_pick_N` per `#[values]` parameter; written
    // without a `% 1` or `/ 1`, which lints in the user's crate would flag.
    let has_rows = !test.cases.is_empty();
    let mut decode = quote!(let __testrig_case = ::testrig::__private::case_index(););
    if has_rows {
        decode.extend(match per_row {
            1 => quote!(let __testrig_row = __testrig_case;),
            _ => quote!(let __testrig_row = __testrig_case / #per_row;),
        });
        // Rows may give no value (`#[case]` alone, with `#[values]` doing the rest).
        decode.extend(quote!(let _ = __testrig_row;));
    }
    let values_params: Vec<usize> =
        (0..params.len()).filter(|i| matches!(params[*i].source, ValueSource::Values(_))).collect();
    if !values_params.is_empty() {
        decode.extend(match (has_rows, per_row) {
            (true, 1) => quote!(let __testrig_within = 0_usize;),
            (true, _) => quote!(let __testrig_within = __testrig_case % #per_row;),
            (false, _) => quote!(let __testrig_within = __testrig_case;),
        });
        let mut divisor = 1;
        for (i, radix) in values_params.iter().zip(&radices).rev() {
            let pick = format_ident!("__testrig_pick_{}", i);
            decode.extend(match (*radix, divisor) {
                (1, _) => quote!(let #pick = 0_usize;),
                (_, 1) => quote!(let #pick = __testrig_within % #radix;),
                _ => quote!(let #pick = __testrig_within / #divisor % #radix;),
            });
            divisor *= radix;
        }
        decode.extend(quote!(let _ = __testrig_within;));
    }
    let mut hidden = decode.clone();
    let mut named = decode;
    for (i, param) in params.iter().enumerate() {
        let arms: Vec<TokenStream> = match &param.source {
            ValueSource::Values(values) => values
                .iter()
                .enumerate()
                .map(|(n, value)| {
                    let value = case_value(value, param.ty);
                    quote!(#n => #value,)
                })
                .collect(),
            ValueSource::Rows { column } => test
                .cases
                .iter()
                .enumerate()
                .filter_map(|(n, row)| {
                    let value = case_value(row.values.get(*column)?, param.ty);
                    Some(quote!(#n => #value,))
                })
                .collect(),
        };
        let selector = match param.source {
            ValueSource::Values(_) => format_ident!("__testrig_pick_{}", i).to_token_stream(),
            ValueSource::Rows { .. } => quote!(__testrig_row),
        };
        let value = quote!(match #selector { #(#arms)* _ => ::core::unreachable!("no such case") });
        let (pat, ty) = (param.pat, param.ty);
        let arg = format_ident!("__testrig_arg_{}", i);
        hidden.extend(quote!(let #arg: #ty = #value;));
        named.extend(quote!(#[allow(unused_variables, unused_mut, unused_assignments)] let #pat: #ty = #value;));
    }
    Bindings { hidden, named }
}

/// The bindings of case `index` alone, its values written out: a generic test (or one with
/// `impl Trait` parameters) is instantiated per case, as rstest does, so its values need not
/// share a type across cases (`#[case(1)] #[case("a")] fn t<W: Display>(#[case] w: W)`).
pub fn fixed_bindings(test: &TestFn, index: usize) -> Bindings {
    let params = case_params(test);
    let radices = radices(&params);
    let per_row: usize = radices.iter().product();
    let row = index / per_row;
    let mut rest = index % per_row;
    let mut picks = vec![0; radices.len()];
    for (pick, radix) in picks.iter_mut().zip(&radices).rev() {
        *pick = rest % radix;
        rest /= radix;
    }
    let mut next_pick = picks.iter();
    let mut hidden = TokenStream::new();
    let mut named = TokenStream::new();
    for (i, param) in params.iter().enumerate() {
        let value = match &param.source {
            ValueSource::Values(values) => next_pick.next().and_then(|pick| values.get(*pick)),
            ValueSource::Rows { column } => test.cases.get(row).and_then(|case| case.values.get(*column)),
        };
        let Some(value) = value else { continue };
        let value = if crate::ast::mentions_generics(param.ty, &test.original.sig.generics) {
            value.to_token_stream()
        } else {
            case_value(value, param.ty)
        };
        let (pat, arg) = (param.pat, format_ident!("__testrig_arg_{}", i));
        hidden.extend(quote!(let #arg = #value;));
        named.extend(quote!(#[allow(unused_variables, unused_mut, unused_assignments)] let #pat = #value;));
    }
    Bindings { hidden, named }
}

/// How many cases each `#[case]` row has: the product of the `#[values]` lists.
pub fn per_row(test: &TestFn) -> usize {
    radices(&case_params(test)).iter().product()
}

/// How many values each `#[values]` parameter has, in order: the digits' bases of a case's
/// number within its row.
fn radices(params: &[CaseParam]) -> Vec<usize> {
    params
        .iter()
        .filter_map(|param| match param.source {
            ValueSource::Values(values) => Some(values.len().max(1)),
            ValueSource::Rows { .. } => None,
        })
        .collect()
}

/// How many digits the largest 1-based index of `count` items takes, so names sort.
fn digits(count: usize) -> usize {
    count.max(1).to_string().len()
}
