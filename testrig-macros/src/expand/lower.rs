//! What each of our attributes lowers to: the fixtures it stands for, with their options (the
//! `lower` column of the attribute table, `attr`). Reads only what the attribute said.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Type};

use crate::parsed::Parsed;

/// A fixture the test asks for itself (a root of its plan), and what it configures it with.
pub struct Root {
    pub ty: Type,
    /// `#[with(Type = options)]`, or what our attribute writes there.
    pub options: Option<Expr>,
}

/// An attribute that sets no field of the test's data.
pub fn no_field(_: &Parsed) -> Option<TokenStream> {
    None
}

/// `#[timeout(secs)]`: how long setup and body may take, and then the teardowns.
pub fn timeout(parsed: &Parsed) -> Option<TokenStream> {
    let Parsed::Timeout(Some(duration)) = parsed else { return None };
    Some(quote!(timeout: ::core::option::Option::Some(#duration),))
}

/// An attribute that stands for no fixture (`#[timeout]`, `#[env]`, ..).
pub fn none(_: &Parsed) -> Vec<Root> {
    Vec::new()
}

/// `#[with(Type, Other = options)]`: each type, with its options.
pub fn with(parsed: &Parsed) -> Vec<Root> {
    match parsed {
        Parsed::With(entries) => {
            entries.iter().map(|with| Root { ty: with.ty.clone(), options: with.config.clone() }).collect()
        }
        _ => Vec::new(),
    }
}

/// `#[capture_logs]`: `Logs`.
pub fn logs(parsed: &Parsed) -> Vec<Root> {
    match parsed {
        Parsed::Flag(span) => {
            vec![Root { ty: syn::parse_quote_spanned!(*span=> ::testrig::logs::Logs), options: None }]
        }
        _ => Vec::new(),
    }
}

/// `#[with_cells(in = SCHEMA, cell1, ..)]`: `Cells`, with the schema and the cells' names.
pub fn cells(parsed: &Parsed) -> Vec<Root> {
    let Parsed::Cells(Some(cells)) = parsed else { return Vec::new() };
    let schema = match &cells.schema {
        Some(path) => quote!(::core::option::Option::Some(&#path)),
        None => quote!(::core::option::Option::None),
    };
    let names = &cells.names;
    vec![Root {
        ty: syn::parse_quote!(::testrig::db::Cells),
        options: Some(syn::parse_quote!(::testrig::db::CellsOptions::new(#schema, &[#(#names),*]))),
    }]
}

/// `#[database(..)]`: `Database`, with its recipe.
pub fn database(parsed: &Parsed) -> Vec<Root> {
    let Parsed::Database(database) = parsed else { return Vec::new() };
    vec![Root {
        ty: syn::parse_quote!(::testrig::db::Database),
        options: Some(block(super::database::options(database))),
    }]
}

/// `#[databases(..)]`: `Databases`, with their recipes.
pub fn databases(parsed: &Parsed) -> Vec<Root> {
    let Parsed::Databases(databases) = parsed else { return Vec::new() };
    vec![Root {
        ty: syn::parse_quote!(::testrig::db::Databases),
        options: Some(block(super::database::set_options(databases))),
    }]
}

/// A `{ static ..; value }` block our grammar wrote, as the expression it is.
fn block(tokens: TokenStream) -> Expr {
    Expr::Verbatim(tokens)
}
