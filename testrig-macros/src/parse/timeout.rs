//! `#[timeout(10)]`, `#[timeout(0.5)]`: how long a test may take, in seconds; or, as rstest
//! writes it, a `Duration`: `#[timeout(Duration::from_millis(250))]`.

use proc_macro2::TokenStream;
use syn::Attribute;

use super::report_at;
use crate::ctxt::Ctxt;
use crate::messages;

/// The limit: an expression of type `Duration`, built from whole milliseconds for a number of
/// seconds, or the user's own expression (rstest's), type-checked at its tokens.
pub fn parse(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<TokenStream> {
    if args.is_empty() {
        report_at(attribute, messages::TIMEOUT_VALUE, cx);
        return None;
    }
    // A literal that is no number (`"10s"`) is ours to report; any other expression is
    // rstest's `Duration`, which rustc type-checks at its tokens.
    if matches!(syn::parse2::<syn::Lit>(args.clone()), Ok(lit) if !matches!(lit, syn::Lit::Int(_) | syn::Lit::Float(_)))
    {
        cx.error_spanned_by(&args, messages::TIMEOUT_VALUE);
        return None;
    }
    if !matches!(syn::parse2::<syn::Lit>(args.clone()), Ok(syn::Lit::Int(_) | syn::Lit::Float(_))) {
        return match syn::parse2::<syn::Expr>(args.clone()) {
            Ok(duration) => Some(quote::quote!(#duration)),
            Err(_) => {
                cx.error_spanned_by(&args, messages::TIMEOUT_VALUE);
                None
            }
        };
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
    let millis = millis as u64;
    Some(quote::quote!(::core::time::Duration::from_millis(#millis)))
}
