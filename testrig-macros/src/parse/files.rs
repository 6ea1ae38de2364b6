//! `#[files("tests/data/*.json", ..)]` on a test parameter: one case per matching file (like
//! rstest's), the globs relative to the crate root, matched when the test crate compiles;
//! with rstest's options on the same parameter: `#[base_dir = "dir"]` (the globs and the
//! cases' names relative to it), `#[include_dot_files]`, `#[dirs]` (directories match too),
//! `#[mode = str]` / `#[mode = bytes]` (the file's content instead of its path).

use proc_macro2::Span;
use syn::{Attribute, Expr, LitStr};

use crate::messages;

/// One matching file: the value expression for the parameter and the path its case is
/// named after (`tests/data/users.json`, relative to the crate root).
pub struct File {
    pub value: Expr,
    pub label: String,
}

/// What the parameter is given of each file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Str,
    Bytes,
}

/// rstest's options of `#[files]`, written as attributes of the same parameter.
struct Options {
    base_dir: Option<String>,
    matching: crate::crate_files::Matching,
    mode: Mode,
}

fn options(attrs: &[Attribute]) -> syn::Result<Options> {
    let mut options = Options { base_dir: None, matching: Default::default(), mode: Mode::Path };
    for attribute in attrs {
        let path = attribute.path();
        if path.is_ident("base_dir") {
            let dir = match &attribute.meta {
                syn::Meta::NameValue(syn::MetaNameValue {
                    value: Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(dir), .. }),
                    ..
                }) => dir.value(),
                _ => return Err(syn::Error::new_spanned(attribute, messages::FILES_BASE_DIR)),
            };
            if dir.contains('$') {
                return Err(syn::Error::new_spanned(attribute, messages::FILES_BASE_DIR_ENV));
            }
            options.base_dir = Some(dir.trim_end_matches('/').to_owned());
        } else if path.is_ident("include_dot_files") {
            options.matching.dot_files = true;
        } else if path.is_ident("dirs") {
            options.matching.dirs = true;
        } else if path.is_ident("mode") {
            options.mode = match &attribute.meta {
                syn::Meta::NameValue(syn::MetaNameValue { value: Expr::Path(mode), .. })
                    if mode.path.is_ident("str") =>
                {
                    Mode::Str
                }
                syn::Meta::NameValue(syn::MetaNameValue { value: Expr::Path(mode), .. })
                    if mode.path.is_ident("bytes") =>
                {
                    Mode::Bytes
                }
                syn::Meta::NameValue(syn::MetaNameValue { value: Expr::Path(mode), .. })
                    if mode.path.is_ident("path") =>
                {
                    Mode::Path
                }
                _ => return Err(syn::Error::new_spanned(attribute, messages::FILES_MODE)),
            };
        }
    }
    Ok(options)
}

/// Whether `attribute` is one of `#[files]`'s options, read here.
pub fn is_option(attribute: &Attribute) -> bool {
    ["base_dir", "include_dot_files", "dirs", "mode"].iter().any(|name| attribute.path().is_ident(name))
}

/// The files of a `#[files(..)]` attribute, sorted by path, with the options among `attrs` (the
/// parameter's attributes); an error at the pattern that is not a glob, matches nothing, or at
/// the attribute when it has no pattern.
pub fn parse(attribute: &Attribute, attrs: &[Attribute]) -> syn::Result<Vec<File>> {
    let options = options(attrs)?;
    let patterns = attribute
        .parse_args_with(syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated)
        .map_err(|error| syn::Error::new(error.span(), messages::FILES_SYNTAX))?;
    if patterns.is_empty() {
        return Err(syn::Error::new_spanned(attribute, messages::FILES_SYNTAX));
    }
    let Some(crate_root) = crate::crate_files::root() else {
        return Err(syn::Error::new(Span::call_site(), "`#[files]` needs cargo's CARGO_MANIFEST_DIR"));
    };
    // The globs, and the cases' names, are relative to `#[base_dir]` (itself to the crate root).
    let root = match &options.base_dir {
        Some(dir) => crate_root.join(dir),
        None => crate_root,
    };
    let prefix = options.base_dir.as_ref().map_or_else(String::new, |dir| format!("{dir}/"));
    let mut relative: Vec<String> = Vec::new();
    for pattern in &patterns {
        let text = pattern.value();
        if std::path::Path::new(&text).is_absolute() {
            return Err(syn::Error::new_spanned(pattern, messages::files_absolute(&text)));
        }
        let matches = crate::crate_files::matching(&root, &text, options.matching).map_err(|error| {
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
            let full = format!("{prefix}{path}");
            let file = quote::quote!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #full));
            let value = match options.mode {
                Mode::Path => syn::parse_quote!(::testrig::__private::case_file(#file)),
                Mode::Str => syn::parse_quote!(::core::include_str!(#file)),
                Mode::Bytes => syn::parse_quote!(::core::include_bytes!(#file)),
            };
            // rstest's: a case is named after the file's path from the base directory, `..`
            // written `_UP`.
            File { value, label: path.replace("..", "_UP") }
        })
        .collect())
}
