//! `#[conf(compute.rpc_response_timeout = 10)]`, `#[conf(in = path::to::CONF, ..)]`: the
//! configuration fields a test overrides.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Token};

use super::slot::Attr;
use super::{parse_list, report_at, Target};
use crate::ctxt::Ctxt;
use crate::messages;

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

/// Parses one `#[conf(..)]`; `attribute` as for [`super::with::parse`].
pub fn parse(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<ConfAttr> {
    let span = attribute.map_or_else(Span::call_site, |attribute| {
        attribute.path().segments.last().map_or_else(Span::call_site, |segment| segment.ident.span())
    });
    let items = parse_list::<ConfItem>(args, cx)?;
    let mut target = Attr::option(cx, "in");
    let mut conf = ConfAttr { target: None, assignments: Vec::new(), span };
    let mut keys: Vec<String> = Vec::new();
    for item in items {
        match item {
            ConfItem::Target(item) => item.store(&mut target),
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
    conf.target = target.get();
    Some(conf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn conf_reads_target_and_dotted_fields() {
        let cx = Ctxt::new();
        let conf = parse(quote!(in = crate::settings::CONF, compute.rpc_response_timeout = 10, tuple.0 = 1), None, &cx)
            .unwrap();
        assert!(cx.into_messages().is_empty());
        assert!(conf.target.is_some());
        let keys: Vec<String> = conf.assignments.iter().map(ConfAssign::key_text).collect();
        assert_eq!(keys, ["compute.rpc_response_timeout", "tuple.0"]);
    }

    #[test]
    fn conf_rejects_duplicates_and_empty() {
        let cx = Ctxt::new();
        parse(quote!(a.b = 1, a.b = 2), None, &cx);
        parse(quote!(), None, &cx);
        assert_eq!(cx.into_messages(), [messages::duplicate_conf_key("a.b"), messages::EMPTY_CONF.to_owned()]);
    }
}
