//! Attribute grammars, one file each, and what they share: a comma-separated list, the
//! `in = path` target, a once-only slot ([`slot::Attr`]).

pub mod cells;
pub mod conf;
pub mod database;
pub mod env;
pub mod files;
pub mod fixture_options;
pub mod item;
pub mod marks;
pub mod services;
pub mod slot;
pub mod symbol;
pub mod test_options;
pub mod timeout;
pub mod with;

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, Token};

use crate::ctxt::Ctxt;
use crate::messages;

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

/// One entry of an attribute's option list (`flavor = ".."`, `allow_leaks`): the entry, its
/// key as written, and the key's span.
struct OptionEntry {
    meta: Meta,
    key: String,
    span: Span,
}

/// The entries of an option list; none for an empty one, or (recorded) a syntax error.
fn options(args: TokenStream, cx: &Ctxt) -> Vec<OptionEntry> {
    let metas = if args.is_empty() { None } else { parse_list::<Meta>(args, cx) };
    let entries = metas.into_iter().flatten().map(|meta| {
        let (key, span) = (key_text(meta.path()), syn::spanned::Spanned::span(meta.path()));
        OptionEntry { meta, key, span }
    });
    entries.collect()
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

    /// Stores the path in `slot`, which reports a second `in`.
    fn store(self, slot: &mut slot::Attr<'_, syn::Path>) {
        slot.set(self.keyword, self.path);
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

fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(lit) => Some(&lit.lit),
        _ => None,
    }
}

/// A key as written (`flavor`, `a::b`), for messages.
fn key_text(key: &syn::Path) -> String {
    key.get_ident().map(ToString::to_string).unwrap_or_else(|| path_text(key))
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

/// Reports `message` at `attribute`, or at the call site when the attribute is the one being
/// expanded (its tokens are not in the item then).
pub fn report_at(attribute: Option<&Attribute>, message: &str, cx: &Ctxt) {
    match attribute {
        Some(attribute) => cx.error_spanned_by(attribute, message),
        None => cx.error_at(Span::call_site(), message),
    }
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
