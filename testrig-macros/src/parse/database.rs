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
use super::symbol::{BACKEND, BACKENDS, FIXTURES, MIGRATIONS, MIGRATOR};
use crate::ctxt::Ctxt;
use crate::messages;

/// What `#[database(..)]` says, checked against the crate's files.
pub struct DatabaseAttr {
    /// `None`: the crate's `migrations/` if it has one, as `sqlx::migrate!()`.
    pub migrations: Option<Migrations>,
    /// Whether the crate has a `migrations/` directory (read once, here).
    pub crate_has_migrations: bool,
    pub seeds: Vec<SeedSource>,
    /// `backend = postgres`: the backend the database is on, whatever the environment says.
    pub backend: Option<BackendName>,
}

/// A backend as written: `sqlite` or `postgres`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BackendName {
    Sqlite,
    Postgres,
}

impl BackendName {
    pub fn parse(ident: &syn::Ident) -> syn::Result<BackendName> {
        match ident.to_string().as_str() {
            "sqlite" => Ok(BackendName::Sqlite),
            "postgres" => Ok(BackendName::Postgres),
            "mysql" => Err(syn::Error::new(ident.span(), messages::MYSQL_NOT_YET)),
            other => Err(syn::Error::new(ident.span(), messages::unknown_backend(other))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendName::Sqlite => "sqlite",
            BackendName::Postgres => "postgres",
        }
    }
}

/// `backends(sqlite, postgres)`, found among `#[database(..)]`'s arguments: the names, in
/// order, and the arguments without it (each case's attribute is those plus `backend = ..`).
pub struct BackendsList {
    pub names: Vec<(syn::Ident, BackendName)>,
    pub rest: Vec<TokenStream>,
}

/// `#[database(..)]`'s arguments, split at their top-level commas.
fn arguments(args: TokenStream) -> Vec<TokenStream> {
    let mut out = vec![TokenStream::new()];
    for tree in args {
        match &tree {
            proc_macro2::TokenTree::Punct(punct) if punct.as_char() == ',' => out.push(TokenStream::new()),
            _ => out.last_mut().expect("never empty").extend([tree]),
        }
    }
    out.retain(|argument| !argument.is_empty());
    out
}

/// Whether an argument is the option `key` (`backends(..)`, `backend = ..`).
fn is_option(argument: &TokenStream, key: &str) -> bool {
    matches!(argument.clone().into_iter().next(), Some(proc_macro2::TokenTree::Ident(ident)) if ident == key)
}

/// The `backends(..)` among `args`, when it is there and valid (an invalid one is reported
/// by [`parse`], where the test expands as one).
pub fn backends(args: &TokenStream) -> Option<BackendsList> {
    let arguments = arguments(args.clone());
    let at = arguments.iter().position(|argument| is_option(argument, BACKENDS))?;
    // Given twice, or beside `backend = ..`: said wrong once, where the test expands as one.
    let listed = arguments.iter().filter(|argument| is_option(argument, BACKENDS)).count();
    if listed > 1 || arguments.iter().any(|argument| is_option(argument, BACKEND)) {
        return None;
    }
    let Ok(Item::Backends(key, names)) = syn::parse2::<Item>(arguments[at].clone()) else { return None };
    if !backends_wrong(&key, &names).is_empty() {
        return None;
    }
    let names =
        names.into_iter().filter_map(|name| BackendName::parse(&name).ok().map(|parsed| (name, parsed))).collect();
    let rest = arguments.into_iter().enumerate().filter(|(i, _)| *i != at).map(|(_, argument)| argument).collect();
    Some(BackendsList { names, rest })
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
    Backend(syn::Ident, syn::Ident),
    Backends(syn::Ident, Vec<syn::Ident>),
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
            BACKEND => {
                input.parse::<Token![=]>()?;
                let name: syn::Ident = input.parse().map_err(|e| syn::Error::new(e.span(), messages::BACKEND_VALUE))?;
                Ok(Item::Backend(key, name))
            }
            BACKENDS => {
                let content;
                syn::parenthesized!(content in input);
                let names = Punctuated::<syn::Ident, Token![,]>::parse_terminated(&content)
                    .map_err(|e| syn::Error::new(e.span(), messages::BACKENDS_VALUE))?;
                Ok(Item::Backends(key, names.into_iter().collect()))
            }
            _ => Err(syn::Error::new(
                key.span(),
                messages::unknown_option("database", &key.to_string(), DATABASE_OPTIONS),
            )),
        }
    }
}

const DATABASE_OPTIONS: &[&str] = &[MIGRATIONS, MIGRATOR, FIXTURES, BACKEND, BACKENDS];

/// Parses `#[database(..)]`'s arguments; every problem is recorded in `cx`.
pub fn parse(args: TokenStream, cx: &Ctxt) -> DatabaseAttr {
    match syn::parse::Parser::parse2(Punctuated::<Item, Token![,]>::parse_terminated, args) {
        Ok(items) => from_items(items, cx),
        Err(error) => {
            cx.syn_error(error);
            DatabaseAttr { migrations: None, crate_has_migrations: false, seeds: Vec::new(), backend: None }
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
        // One backend for the set: a backend of an entry's own is not something it can have.
        let items = items
            .into_iter()
            .filter(|item| match item {
                Item::Backend(key, _) | Item::Backends(key, _) => {
                    cx.error_spanned_by(key, messages::DATABASES_BACKEND);
                    false
                }
                _ => true,
            })
            .collect();
        let attr = from_items(items, cx);
        set.entries.push((name, attr));
    }
    set
}

fn from_items(items: Punctuated<Item, Token![,]>, cx: &Ctxt) -> DatabaseAttr {
    let mut migrations = Attr::option(cx, MIGRATIONS);
    let mut backend = Attr::option(cx, BACKEND);
    let mut listed = Attr::option(cx, BACKENDS);
    let mut listed_at: Option<syn::Ident> = None;
    // Several `fixtures(..)` add up, in order, as sqlx's do.
    let mut seeds: Vec<SeedSource> = Vec::new();
    for item in items {
        match item {
            Item::Backend(key, name) => match BackendName::parse(&name) {
                Ok(parsed) => backend.set(&key, parsed),
                Err(error) => cx.syn_error(error),
            },
            // Valid ones are turned into a case per backend before the test expands as one
            // (`entry`): what reaches here is said wrong.
            Item::Backends(key, names) => {
                listed.set(&key, ());
                backends_wrong(&key, &names).into_iter().for_each(|error| cx.syn_error(error));
                listed_at.get_or_insert(key);
            }
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
    let backend = backend.get();
    // Valid, and still here: `backend = ..` is beside it (a second one was said above).
    if let (Some(()), Some(key), Some(_)) = (listed.get(), &listed_at, backend) {
        cx.error_spanned_by(key, messages::BACKEND_AND_BACKENDS);
    }
    let mut migrations = migrations.get();
    // A backend's own migrations where they differ: `<dir>/sqlite`, `<dir>/postgres`.
    if let Some(backend) = backend {
        let own = |dir: &str| {
            let own = format!("{}/{}", dir.trim_end_matches('/'), backend.name());
            (crate::crate_files::has_dir(&own) == Some(true)).then_some(own)
        };
        migrations = match migrations {
            Some(Migrations::Dir(dir)) => Some(Migrations::Dir(match own(&dir.value()) {
                Some(own) => LitStr::new(&own, dir.span()),
                None => dir,
            })),
            None => own("migrations").map(|own| Migrations::Dir(LitStr::new(&own, Span::call_site()))),
            other => other,
        };
    }
    // Only when it counts: a crate read for nothing is a file system call per test.
    let crate_has_migrations = migrations.is_none() && crate::crate_files::has_dir("migrations") == Some(true);
    DatabaseAttr { migrations, crate_has_migrations, seeds, backend }
}

/// What is wrong in a `backends(..)` list: nothing when it can be turned into cases.
fn backends_wrong(key: &syn::Ident, names: &[syn::Ident]) -> Vec<syn::Error> {
    let mut wrong = Vec::new();
    if names.is_empty() {
        wrong.push(syn::Error::new(key.span(), messages::BACKENDS_VALUE));
    }
    for (i, name) in names.iter().enumerate() {
        if let Err(error) = BackendName::parse(name) {
            wrong.push(error);
        } else if names[..i].contains(name) {
            wrong.push(syn::Error::new(name.span(), messages::duplicate_backend(&name.to_string())));
        }
    }
    wrong
}

fn check_dir(dir: &LitStr, cx: &Ctxt) {
    if crate::crate_files::has_dir(&dir.value()) == Some(false) {
        // Named as written: the absolute path differs per machine and target dir.
        cx.error_spanned_by(dir, messages::missing_migrations(&dir.value()));
    }
}
