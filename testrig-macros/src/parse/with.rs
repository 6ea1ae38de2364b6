//! `#[with(Type, Other = options)]`: fixtures a test needs without naming them as
//! parameters, and the options it gives them.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Token, Type};

use super::{parse_list, report_at};
use crate::ctxt::Ctxt;
use crate::messages;

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
pub fn parse(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Vec<WithEntry> {
    match parse_list::<WithEntry>(args, cx) {
        Some(entries) if entries.is_empty() => {
            report_at(attribute, messages::EMPTY_WITH, cx);
            Vec::new()
        }
        Some(entries) => entries.into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn with_entries_take_optional_config() {
        let cx = Ctxt::new();
        let entries = parse(quote!(A, b::B = vec![1], C), None, &cx);
        cx.check().unwrap();
        assert_eq!(entries.len(), 3);
        assert!(entries[1].config.is_some() && entries[0].config.is_none());
    }
}
