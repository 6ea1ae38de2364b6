//! `#[database(..)]` and `#[databases(..)]` as the options of the fixture they stand for: a
//! static recipe per database — migrations resolved against the crate root, seeds included
//! at compile time so a missing file is a compile error at its name.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::parse::database::{BackendName, DatabaseAttr, DatabasesAttr, Migrations};

/// The `DatabaseOptions` expression: the recipe, and the options pointing at it.
pub fn options(database: &DatabaseAttr) -> TokenStream {
    let recipe = recipe(database, "main");
    let on = database.backend.map(|backend| match backend {
        BackendName::Sqlite => quote!(.on(::testrig::db::Backend::Sqlite)),
        BackendName::Postgres => quote!(.on(::testrig::db::Backend::Postgres)),
    });
    quote! {{
        #recipe
        ::testrig::db::DatabaseOptions::new(&__TESTRIG_RECIPE) #on
    }}
}

/// The `DatabasesOptions` expression: one static recipe per name.
pub fn set_options(databases: &DatabasesAttr) -> TokenStream {
    let entries = databases.entries.iter().map(|(name, attr)| {
        let text = name.to_string();
        let recipe = recipe(attr, &text);
        quote!((#text, { #recipe &__TESTRIG_RECIPE }))
    });
    let count = databases.entries.len();
    quote! {{
        static __TESTRIG_DATABASES: [(&str, &::testrig::db::Recipe); #count] = [#(#entries),*];
        ::testrig::db::DatabasesOptions::new(&__TESTRIG_DATABASES)
    }}
}

/// A `static __TESTRIG_RECIPE` for the database called `name`.
fn recipe(database: &DatabaseAttr, name: &str) -> TokenStream {
    let migrator = match &database.migrations {
        // The app's own `static MIGRATOR: Migrator = sqlx::migrate!(..)`, spanned at its path.
        Some(Migrations::Migrator(path)) => {
            quote_spanned!(syn::spanned::Spanned::span(path)=> ::core::option::Option::Some(&#path))
        }
        _ => quote!(::core::option::Option::None),
    };
    let migrations = match &database.migrations {
        Some(Migrations::Migrator(_)) => quote!(::core::option::Option::None),
        Some(Migrations::Dir(dir)) => {
            quote_spanned!(dir.span()=> ::core::option::Option::Some(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #dir)))
        }
        Some(Migrations::Off) => quote!(::core::option::Option::None),
        // Like `sqlx::migrate!()`: the crate's `migrations/`, when it has one.
        None if database.crate_has_migrations => {
            quote!(::core::option::Option::Some(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/migrations")))
        }
        None => quote!(::core::option::Option::None),
    };
    let seeds = database.seeds.iter().map(|seed| {
        let seed_name = &seed.name;
        let file = &seed.file;
        quote_spanned!(file.span()=> ::testrig::db::Seed { name: #seed_name, sql: ::core::include_str!(#file) })
    });
    quote! {
        static __TESTRIG_RECIPE: ::testrig::db::Recipe = ::testrig::db::Recipe {
            owner: ::core::env!("CARGO_PKG_NAME"),
            database: #name,
            migrations: #migrations,
            migrator: #migrator,
            seeds: &[#(#seeds),*],
        };
    }
}
