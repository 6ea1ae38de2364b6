//! `#[service(start_api, crate::scheduler::start)]`: services a test starts.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::Attribute;

use super::{parse_list, report_at, until_comma};
use crate::ctxt::Ctxt;
use crate::messages;

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
pub fn parse(args: TokenStream, attribute: Option<&Attribute>, known: &[&syn::Path], cx: &Ctxt) -> Vec<syn::Path> {
    if args.is_empty() {
        report_at(attribute, messages::EMPTY_SERVICE, cx);
        return Vec::new();
    }
    let Some(items) = parse_list::<ServiceItem>(args, cx) else { return Vec::new() };
    let mut parsed: Vec<syn::Path> = Vec::new();
    for ServiceItem(path) in items {
        let name = service_name(&path);
        if known.iter().copied().chain(&parsed).any(|earlier| service_name(earlier) == name) {
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
