//! `#[files("tests/data/*.json", ..)]` on a test parameter: one case per matching file (like
//! rstest's), the globs relative to the crate root, matched when the test crate compiles.

use proc_macro2::Span;
use syn::{Attribute, Expr, LitStr};

use crate::messages;

/// One matching file: the value expression for the parameter and the path its case is
/// named after (`tests/data/users.json`, relative to the crate root).
pub struct File {
    pub value: Expr,
    pub label: String,
}

/// The files of a `#[files(..)]` attribute, sorted by path; an error at the pattern that is
/// not a glob, matches nothing, or at the attribute when it has no pattern.
pub fn parse(attribute: &Attribute) -> syn::Result<Vec<File>> {
    let patterns = attribute
        .parse_args_with(syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated)
        .map_err(|error| syn::Error::new(error.span(), messages::FILES_SYNTAX))?;
    if patterns.is_empty() {
        return Err(syn::Error::new_spanned(attribute, messages::FILES_SYNTAX));
    }
    let Some(root) = crate::crate_files::root() else {
        return Err(syn::Error::new(Span::call_site(), "`#[files]` needs cargo's CARGO_MANIFEST_DIR"));
    };
    let mut relative: Vec<String> = Vec::new();
    for pattern in &patterns {
        let text = pattern.value();
        if std::path::Path::new(&text).is_absolute() {
            return Err(syn::Error::new_spanned(pattern, messages::files_absolute(&text)));
        }
        let matches = crate::crate_files::matching(&root, &text).map_err(|error| {
            use crate::crate_files::GlobError;
            let message = match error {
                GlobError::Pattern(reason) => messages::files_bad_glob(&text, reason),
                GlobError::Unreadable(reason) => messages::files_unreadable(&text, &reason),
                GlobError::NotUtf8(path) => messages::files_not_utf8(&text, &path),
            };
            syn::Error::new_spanned(pattern, message)
        })?;
        let before = relative.len();
        for rest in matches {
            if !relative.contains(&rest) {
                relative.push(rest);
            }
        }
        if relative.len() == before {
            return Err(syn::Error::new_spanned(pattern, messages::files_no_match(&pattern.value())));
        }
    }
    relative.sort();
    Ok(relative
        .into_iter()
        .map(|path| {
            let value = syn::parse_quote!(::testrig::__private::case_file(
                ::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #path)
            ));
            // rstest's: a case is named after the file's path from the crate root.
            File { value, label: path }
        })
        .collect())
}
