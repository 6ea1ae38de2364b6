//! `#[files("tests/data/*.json", ..)]` on a test parameter: one case per matching file (like
//! rstest's), the globs relative to the crate root, matched when the test crate compiles.

use proc_macro2::Span;
use syn::{Attribute, Expr, LitStr};

use crate::messages;

/// One matching file: the value expression for the parameter and the label its case is
/// named after (`users_json`).
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
    let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from) else {
        return Err(syn::Error::new(Span::call_site(), "`#[files]` needs cargo's CARGO_MANIFEST_DIR"));
    };
    let mut relative: Vec<String> = Vec::new();
    for pattern in &patterns {
        let full = root.join(pattern.value());
        let matches = glob::glob(&full.to_string_lossy())
            .map_err(|error| syn::Error::new_spanned(pattern, messages::files_bad_glob(&pattern.value(), &error.msg)))?;
        let before = relative.len();
        for path in matches.flatten().filter(|path| path.is_file()) {
            if let Ok(rest) = path.strip_prefix(&root) {
                let rest = rest.to_string_lossy().replace('\\', "/");
                if !relative.contains(&rest) {
                    relative.push(rest);
                }
            }
        }
        if relative.len() == before {
            return Err(syn::Error::new_spanned(pattern, messages::files_no_match(&pattern.value(), &root.display().to_string())));
        }
    }
    relative.sort();
    Ok(relative
        .into_iter()
        .map(|path| {
            let label = label(&path);
            let value = syn::parse_quote!(::testrig::__private::case_file(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #path)));
            File { value, label }
        })
        .collect())
}

/// `tests/data/users.json` → `users_json`: the file name as identifier characters.
fn label(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_file_names_as_identifiers() {
        assert_eq!(label("tests/data/Users.v2.json"), "users_v2_json");
        assert_eq!(label("a b-c"), "a_b_c");
    }
}
