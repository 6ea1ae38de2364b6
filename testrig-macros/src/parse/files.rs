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
    let labels = labels(&relative);
    Ok(relative
        .into_iter()
        .zip(labels)
        .map(|(path, label)| {
            let value = syn::parse_quote!(::testrig::__private::case_file(
                ::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #path)
            ));
            File { value, label }
        })
        .collect())
}

/// Each file's path below the directory all of them share, as identifier characters
/// (`tests/data/users.json` → `users_json`, `tests/data/v2/users.json` → `v2_users_json`):
/// so a case keeps its name (and its snapshots) when other files come and go. Two that
/// would read the same get their position too.
fn labels(paths: &[String]) -> Vec<String> {
    let dirs: Vec<Vec<&str>> = paths.iter().map(|path| path.split('/').collect()).collect();
    let shared = match dirs.split_first() {
        None => 0,
        Some((first, rest)) => (0..first.len().saturating_sub(1))
            .take_while(|&at| rest.iter().all(|other| other.len() > at + 1 && other[at] == first[at]))
            .count(),
    };
    let labels: Vec<String> = dirs
        .iter()
        .map(|parts| {
            let rest = parts[shared..].join("/");
            rest.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
        })
        .collect();
    labels
        .iter()
        .enumerate()
        .map(|(at, label)| match labels.iter().filter(|other| *other == label).count() {
            1 => label.clone(),
            _ => format!("{label}_{}", at + 1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_paths_below_the_shared_directory() {
        let paths =
            ["tests/data/Users.v2.json", "tests/data/nested/a b-c", "tests/data/nested/a_b_c"].map(String::from);
        assert_eq!(labels(&paths), ["users_v2_json", "nested_a_b_c_2", "nested_a_b_c_3"]);
        assert_eq!(labels(&["Cargo.toml".to_owned()]), ["cargo_toml"]);
    }
}
