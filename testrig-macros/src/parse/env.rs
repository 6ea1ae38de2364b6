//! `#[env(RUST_LOG = "debug", HOME = unset)]`: environment variables a test sets or removes.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Token};

use super::{parse_list, report_at};
use crate::ctxt::Ctxt;
use crate::messages;

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
pub fn parse(args: TokenStream, attribute: Option<&Attribute>, seen: &[&EnvEntry], cx: &Ctxt) -> Vec<EnvEntry> {
    let Some(entries) = parse_list::<EnvEntry>(args, cx) else { return Vec::new() };
    if entries.is_empty() {
        report_at(attribute, messages::EMPTY_ENV, cx);
    }
    let mut parsed: Vec<EnvEntry> = Vec::new();
    for entry in entries {
        if seen.iter().copied().chain(&parsed).any(|earlier| earlier.key == entry.key) {
            cx.error_at(entry.key_span, messages::duplicate_env_key(&entry.key));
        }
        parsed.push(entry);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn env_reads_values_and_unset() {
        let cx = Ctxt::new();
        let entries = parse(quote!(RUST_LOG = "debug", "MY-VAR" = unset), None, &[], &cx);
        assert!(cx.into_messages().is_empty());
        assert_eq!(entries[0].value.as_deref(), Some("debug"));
        assert_eq!(entries[1].key, "MY-VAR");
        assert!(entries[1].value.is_none());
    }

    #[test]
    fn env_rejects_non_string_values_and_repeated_keys() {
        let cx = Ctxt::new();
        parse(quote!(PORT = 8080), None, &[], &cx);
        let first = parse(quote!(A = "1"), None, &[], &cx);
        parse(quote!(A = "2"), None, &first.iter().collect::<Vec<_>>(), &cx);
        assert_eq!(cx.into_messages(), [messages::BAD_ENV_VALUE.to_owned(), messages::duplicate_env_key("A")]);
    }
}
