//! Parameters under `#[cfg(..)]`: rustc removes them from the function before it is compiled,
//! but our expansion sees them all and would pass an argument too many (E0061). So a
//! function with such parameters is expanded once per combination of their predicates, each
//! copy under `#[cfg(all(..))]` of its combination, so exactly one is compiled.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, FnArg, ImplItem, Item, Signature};

/// The most `#[cfg]` parameters of one function: 2⁴ expansions.
const MAX_CFG_PARAMS: usize = 4;

/// `expand(item)` of an item whose function (or `setup`) has no `#[cfg]` parameter; else the
/// union of its expansions per combination. An error, spanned at the parameters, when it has
/// more than we expand.
pub fn per_combination(item: &Item, expand: impl Fn(Item) -> TokenStream) -> Result<TokenStream, syn::Error> {
    let Some(sig) = signature(item) else { return Ok(expand(item.clone())) };
    let predicates: Vec<(usize, TokenStream)> = sig
        .inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| cfg_of(input).map(|predicate| (index, predicate)))
        .collect();
    if predicates.is_empty() {
        return Ok(expand(item.clone()));
    }
    if predicates.len() > MAX_CFG_PARAMS {
        let (index, _) = predicates[MAX_CFG_PARAMS];
        return Err(syn::Error::new_spanned(&sig.inputs[index], crate::messages::TOO_MANY_CFG_PARAMS));
    }
    let mut out = TokenStream::new();
    for mask in 0..(1_usize << predicates.len()) {
        let mut copy = item.clone();
        let mut conditions = Vec::new();
        if let Some(sig) = signature_mut(&mut copy) {
            let inputs = std::mem::take(&mut sig.inputs);
            for (index, mut input) in inputs.into_pairs().map(syn::punctuated::Pair::into_value).enumerate() {
                match predicates.iter().position(|(at, _)| *at == index) {
                    None => sig.inputs.push(input),
                    Some(bit) => {
                        let predicate = &predicates[bit].1;
                        if mask & (1 << bit) != 0 {
                            conditions.push(quote!(#predicate));
                            strip_cfg(&mut input);
                            sig.inputs.push(input);
                        } else {
                            conditions.push(quote!(not(#predicate)));
                        }
                    }
                }
            }
        }
        let expanded = expand(copy);
        out.extend(under_cfg(expanded, &quote!(all(#(#conditions),*))));
    }
    Ok(out)
}

/// Each item of `tokens` under `#[cfg(condition)]`.
fn under_cfg(tokens: TokenStream, condition: &TokenStream) -> TokenStream {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => {
            let items = file.items.into_iter().map(|item| quote!(#[cfg(#condition)] #item));
            quote!(#(#items)*)
        }
        // Not items (never, for our expansions): better compiled in every combination than lost.
        Err(_) => tokens,
    }
}

/// The parameter's `#[cfg(..)]` predicates as one (`all(a, b)` for several).
fn cfg_of(input: &FnArg) -> Option<TokenStream> {
    let FnArg::Typed(typed) = input else { return None };
    let predicates: Vec<TokenStream> = typed
        .attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("cfg"))
        .filter_map(|attribute| match &attribute.meta {
            syn::Meta::List(list) => Some(list.tokens.clone()),
            _ => None,
        })
        .collect();
    match predicates.len() {
        0 => None,
        1 => predicates.into_iter().next(),
        _ => Some(quote!(all(#(#predicates),*))),
    }
}

fn strip_cfg(input: &mut FnArg) {
    if let FnArg::Typed(typed) = input {
        typed.attrs.retain(|attribute: &Attribute| !attribute.path().is_ident("cfg"));
    }
}

fn signature(item: &Item) -> Option<&Signature> {
    match item {
        Item::Fn(function) => Some(&function.sig),
        Item::Impl(block) => block.items.iter().find_map(|item| match item {
            ImplItem::Fn(function) if function.sig.ident == "setup" => Some(&function.sig),
            _ => None,
        }),
        _ => None,
    }
}

fn signature_mut(item: &mut Item) -> Option<&mut Signature> {
    match item {
        Item::Fn(function) => Some(&mut function.sig),
        Item::Impl(block) => block.items.iter_mut().find_map(|item| match item {
            ImplItem::Fn(function) if function.sig.ident == "setup" => Some(&mut function.sig),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn one_expansion_per_combination_each_under_its_condition() {
        let item: Item = syn::parse_quote!(
            fn t(a: &A, #[cfg(unix)] b: &B) {}
        );
        let out = per_combination(&item, |item| item.into_token_stream()).unwrap().to_string();
        assert!(out.contains("# [cfg (all (unix))] fn t (a : & A , b : & B)"), "{out}");
        assert!(out.contains("# [cfg (all (not (unix)))] fn t (a : & A)"), "{out}");
    }

    #[test]
    fn several_cfgs_on_one_parameter_are_all_of_them() {
        let item: Item = syn::parse_quote!(
            fn t(
                #[cfg(unix)]
                #[cfg(any())]
                b: &B,
            ) {
            }
        );
        let out = per_combination(&item, |item| item.into_token_stream()).unwrap().to_string();
        assert!(out.contains("# [cfg (all (all (unix , any ())))] fn t (b : & B)"), "{out}");
        assert!(out.contains("# [cfg (all (not (all (unix , any ()))))] fn t ()"), "{out}");
    }

    #[test]
    fn more_than_four_is_an_error_at_the_fifth() {
        let item: Item = syn::parse_quote!(
            fn t(#[cfg(a)] a: &A, #[cfg(b)] b: &B, #[cfg(c)] c: &C, #[cfg(d)] d: &D, #[cfg(e)] e: &E) {}
        );
        let error = per_combination(&item, |item| item.into_token_stream()).unwrap_err();
        assert_eq!(error.to_string(), crate::messages::TOO_MANY_CFG_PARAMS);
    }
}
