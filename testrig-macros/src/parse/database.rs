//! `#[database]`, `#[database(migrations = "db/migrations")]`, `#[database(migrations = false)]`,
//! `#[database(migrator = "crate::MIGRATOR")]`, `#[database(fixtures("users", "posts"))]`,
//! `#[database(fixtures("../seeds/a.sql"))]`, `#[database(fixtures(path = "../seeds",
//! scripts("a", "b")))]` — `#[sqlx::test]`'s grammar, read as sqlx reads it — and our
//! `#[database(fixtures(path = "../seeds/a.sql"))]`; and `#[databases(primary,
//! analytics(migrations = "db/analytics"))]`, each entry a name with the same options.

use proc_macro2::{Span, TokenStream};

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{LitBool, LitStr, Token};

use super::slot::Attr;
use super::symbol::{FIXTURES, MIGRATIONS, MIGRATOR};
use crate::ctxt::Ctxt;
use crate::messages;

/// What `#[database(..)]` says, checked against the crate's files.
pub struct DatabaseAttr {
    /// `None`: the crate's `migrations/` if it has one, as `sqlx::migrate!()`.
    pub migrations: Option<Migrations>,
    /// Whether the crate has a `migrations/` directory (read once, here).
    pub crate_has_migrations: bool,
    pub seeds: Vec<SeedSource>,
}

pub enum Migrations {
    Dir(LitStr),
    Off,
    /// `migrator = "path::TO::MIGRATOR"`: a `sqlx::migrate::Migrator` static of the app's.
    Migrator(syn::Path),
}

/// A seed script, relative to the test file as sqlx::test reads them: `"users"` (or
/// `"users.sql"`) is `fixtures/users.sql`; a path with a directory in it (`"../seeds/a.sql"`)
/// is that file; `path = "dir", scripts("a", ..)` is `dir/a.sql`; our `path = "file.sql"` alone
/// is that file.
pub struct SeedSource {
    pub name: String,
    pub file: LitStr,
}

/// `name` with `.sql` added when it has no extension (sqlx's `add_sql_extension_if_missing`).
fn with_sql_extension(name: &str) -> String {
    match std::path::Path::new(name).extension() {
        Some(_) => name.to_owned(),
        None => format!("{name}.sql"),
    }
}

/// The seeds of one `fixtures(..)`: its names, or sqlx's `path = "dir", scripts(..)`.
fn fixtures_group(input: ParseStream) -> syn::Result<Vec<SeedSource>> {
    let mut seeds = Vec::new();
    let mut dir: Option<LitStr> = None;
    while !input.is_empty() {
        if input.peek(LitStr) {
            let name: LitStr = input.parse()?;
            let value = name.value();
            // A path with a directory in it is the file; a bare name is under `fixtures/`.
            let file = match std::path::Path::new(&value).components().count() > 1 {
                true => value.clone(),
                false => format!("fixtures/{}", with_sql_extension(&value)),
            };
            seeds.push(SeedSource { name: value, file: LitStr::new(&file, name.span()) });
        } else {
            let key: syn::Ident =
                input.parse().map_err(|e| syn::Error::new(e.span(), messages::DATABASE_FIXTURE_ITEM))?;
            if key == "path" {
                input.parse::<Token![=]>()?;
                let path: LitStr = input.parse()?;
                dir = Some(path);
            } else if key == "scripts" {
                let Some(dir) = &dir else {
                    return Err(syn::Error::new(key.span(), messages::DATABASE_SCRIPTS_WITHOUT_PATH));
                };
                let content;
                syn::parenthesized!(content in input);
                for script in Punctuated::<LitStr, Token![,]>::parse_terminated(&content)? {
                    let file = format!("{}/{}", dir.value().trim_end_matches('/'), with_sql_extension(&script.value()));
                    seeds.push(SeedSource { name: script.value(), file: LitStr::new(&file, script.span()) });
                }
            } else {
                return Err(syn::Error::new(key.span(), messages::DATABASE_FIXTURE_ITEM));
            }
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    // Our `path = "a.sql"` alone: that file (sqlx has no such form).
    if let (Some(file), true) = (dir, seeds.is_empty()) {
        seeds.push(SeedSource { name: file.value(), file });
    }
    Ok(seeds)
}

enum Item {
    Migrations(syn::Ident, Migrations),
    Fixtures(syn::Ident, Vec<SeedSource>),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: syn::Ident = input.parse()?;
        match key.to_string().as_str() {
            MIGRATIONS => {
                input.parse::<Token![=]>()?;
                if input.peek(LitBool) {
                    let off: LitBool = input.parse()?;
                    if off.value {
                        return Err(syn::Error::new(off.span(), messages::DATABASE_MIGRATIONS_TRUE));
                    }
                    return Ok(Item::Migrations(key, Migrations::Off));
                }
                match input.parse::<LitStr>() {
                    Ok(dir) => Ok(Item::Migrations(key, Migrations::Dir(dir))),
                    Err(error) => Err(syn::Error::new(error.span(), messages::DATABASE_MIGRATIONS_VALUE)),
                }
            }
            FIXTURES => {
                let content;
                syn::parenthesized!(content in input);
                Ok(Item::Fixtures(key, fixtures_group(&content)?))
            }
            MIGRATOR => {
                input.parse::<Token![=]>()?;
                let path: LitStr = input.parse().map_err(|e| syn::Error::new(e.span(), messages::MIGRATOR_VALUE))?;
                match path.parse::<syn::Path>() {
                    Ok(migrator) => Ok(Item::Migrations(key, Migrations::Migrator(migrator))),
                    Err(_) => Err(syn::Error::new(path.span(), messages::MIGRATOR_VALUE)),
                }
            }
            _ => Err(syn::Error::new(
                key.span(),
                messages::unknown_option("database", &key.to_string(), DATABASE_OPTIONS),
            )),
        }
    }
}

const DATABASE_OPTIONS: &[&str] = &[MIGRATIONS, MIGRATOR, FIXTURES];

/// Parses `#[database(..)]`'s arguments; every problem is recorded in `cx`.
pub fn parse(args: TokenStream, cx: &Ctxt) -> DatabaseAttr {
    match syn::parse::Parser::parse2(Punctuated::<Item, Token![,]>::parse_terminated, args) {
        Ok(items) => from_items(items, cx),
        Err(error) => {
            cx.syn_error(error);
            DatabaseAttr { migrations: None, crate_has_migrations: false, seeds: Vec::new() }
        }
    }
}

/// `#[databases(..)]`: named databases, in order, each with `#[database]`'s options.
pub struct DatabasesAttr {
    pub entries: Vec<(syn::Ident, DatabaseAttr)>,
}

struct Entry {
    name: syn::Ident,
    items: Punctuated<Item, Token![,]>,
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: syn::Ident = input.parse().map_err(|e| syn::Error::new(e.span(), messages::DATABASES_ENTRY))?;
        let mut items = Punctuated::new();
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            items = Punctuated::parse_terminated(&content)?;
        }
        Ok(Entry { name, items })
    }
}

/// Parses `#[databases(..)]`'s arguments; every problem is recorded in `cx`.
pub fn parse_set(args: TokenStream, span: Span, cx: &Ctxt) -> DatabasesAttr {
    let mut set = DatabasesAttr { entries: Vec::new() };
    let entries = match syn::parse::Parser::parse2(Punctuated::<Entry, Token![,]>::parse_terminated, args) {
        Ok(entries) => entries,
        Err(error) => {
            cx.syn_error(error);
            return set;
        }
    };
    if entries.is_empty() {
        cx.error_at(span, messages::DATABASES_EMPTY);
    }
    for Entry { name, items } in entries {
        if set.entries.iter().any(|(seen, _)| *seen == name) {
            cx.error_spanned_by(&name, messages::duplicate_database(&name.to_string()));
            continue;
        }
        let attr = from_items(items, cx);
        set.entries.push((name, attr));
    }
    set
}

fn from_items(items: Punctuated<Item, Token![,]>, cx: &Ctxt) -> DatabaseAttr {
    let mut migrations = Attr::option(cx, MIGRATIONS);
    // Several `fixtures(..)` add up, in order, as sqlx's do.
    let mut seeds: Vec<SeedSource> = Vec::new();
    for item in items {
        match item {
            Item::Migrations(key, value) => migrations.set_with(&key, || {
                if let Migrations::Dir(dir) = &value {
                    check_dir(dir, cx);
                }
                value
            }),
            Item::Fixtures(key, listed) => {
                if listed.is_empty() {
                    cx.error_spanned_by(&key, messages::DATABASE_FIXTURES_EMPTY);
                }
                for seed in listed {
                    if seeds.iter().any(|seen| seen.file.value() == seed.file.value()) {
                        cx.error_spanned_by(&seed.file, messages::duplicate_seed(&seed.name));
                    } else {
                        seeds.push(seed);
                    }
                }
            }
        }
    }
    let migrations = migrations.get();
    // Only when it counts: a crate read for nothing is a file system call per test.
    let crate_has_migrations = migrations.is_none() && crate::crate_files::has_dir("migrations") == Some(true);
    DatabaseAttr { migrations, crate_has_migrations, seeds }
}

fn check_dir(dir: &LitStr, cx: &Ctxt) {
    if crate::crate_files::has_dir(&dir.value()) == Some(false) {
        // Named as written: the absolute path differs per machine and target dir.
        cx.error_spanned_by(dir, messages::missing_migrations(&dir.value()));
    }
}
