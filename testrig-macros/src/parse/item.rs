//! The item under an attribute, with every function body kept as its tokens.
//!
//! The macros read signatures and attributes, never a body, and a test's body is most of its
//! tokens: parsing it into syntax trees and printing it back was most of what each test cost
//! the macro (the macro runs unoptimized in a `cargo test` build). tokio-macros keeps the body
//! as tokens for the same reason.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Block, Item, ItemFn, Signature, Stmt, Visibility};

/// `tokens` as an item: a function with its body unparsed, any other item parsed by syn.
pub fn item(tokens: TokenStream) -> syn::Result<Item> {
    match function_with_opaque_body.parse2(tokens.clone()) {
        Ok(function) => Ok(Item::Fn(function)),
        Err(_) => syn::parse2(tokens),
    }
}

/// `tokens` as a function with its body unparsed.
pub fn function(tokens: TokenStream) -> syn::Result<ItemFn> {
    function_with_opaque_body.parse2(tokens)
}

fn function_with_opaque_body(input: ParseStream) -> syn::Result<ItemFn> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let sig: Signature = input.parse()?;
    let body = match input.parse::<TokenTree>()? {
        TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => group,
        other => return Err(syn::Error::new(other.span(), "expected a function body")),
    };
    let tokens = body.stream();
    // Printed back as they came: a verbatim item is its tokens.
    let stmts = if tokens.is_empty() { Vec::new() } else { vec![Stmt::Item(Item::Verbatim(tokens))] };
    Ok(ItemFn { attrs, vis, sig, block: Box::new(Block { brace_token: syn::token::Brace(body.delim_span()), stmts }) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{quote, ToTokens};

    #[test]
    fn a_function_prints_back_as_it_came() {
        let tokens = quote! {
            #[attr] pub(crate) async unsafe fn f<T: Clone>(a: &T) -> u8 where T: Send {
                #![allow(unused)]
                let x = { 1 };
                x + 1
            }
        };
        let Item::Fn(function) = item(tokens.clone()).unwrap() else { panic!("not a function") };
        assert_eq!(function.to_token_stream().to_string(), tokens.to_string());
        assert_eq!(function.sig.ident, "f");
        assert_eq!(function.attrs.len(), 1);
    }

    #[test]
    fn a_body_that_is_not_rust_is_kept_for_rustc_to_report() {
        let tokens = quote!(fn f() { let = ; });
        let function = function(tokens.clone()).unwrap();
        assert_eq!(function.to_token_stream().to_string(), tokens.to_string());
    }

    #[test]
    fn other_items_and_broken_signatures_go_to_syn() {
        assert!(matches!(
            item(quote!(
                struct S;
            ))
            .unwrap(),
            Item::Struct(_)
        ));
        assert!(matches!(item(quote!(impl S { fn f() {} })).unwrap(), Item::Impl(_)));
        assert!(item(quote!(fn broken(a: ) {})).is_err());
        assert!(item(quote!(
            fn f() {}
            fn g() {}
        ))
        .is_err());
    }
}
