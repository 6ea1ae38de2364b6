//! Nova's layout: an application's API migrations and its cell migrations, two recipes the
//! `Cells` preset makes its databases from.

use crate::features::db::recipe::Recipe;
use crate::features::db::DbError;

/// The migrations of an application's API database and of each cell database (cell0 and the
/// named cells share one schema, as in Nova). Declare it once with [`schema!`](crate::schema).
#[derive(Debug)]
pub struct Schema {
    name: &'static str,
    api: Recipe,
    cell: Recipe,
}

impl Schema {
    /// Prefer [`schema!`](crate::schema), which also registers it and resolves the
    /// directories against the declaring crate.
    pub const fn new(name: &'static str, api_migrations: &'static str, cell_migrations: &'static str) -> Self {
        Schema {
            name,
            api: Recipe { owner: name, database: "api", migrations: Some(api_migrations), migrator: None, seeds: &[] },
            cell: Recipe {
                owner: name,
                database: "cell",
                migrations: Some(cell_migrations),
                migrator: None,
                seeds: &[],
            },
        }
    }

    /// The name given at the declaration.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How the API database is made.
    pub fn api(&self) -> &Recipe {
        &self.api
    }

    /// How cell0 and every named cell database are made.
    pub fn cell(&self) -> &Recipe {
        &self.cell
    }
}

#[doc(hidden)]
pub struct RegisteredSchema(pub &'static Schema);

inventory::collect!(RegisteredSchema);

/// The one declared schema, for tests that do not name one.
pub(crate) fn default_schema() -> Result<&'static Schema, DbError> {
    let mut declared = inventory::iter::<RegisteredSchema>.into_iter().map(|registered| registered.0);
    match (declared.next(), declared.next()) {
        (Some(only), None) => Ok(only),
        _ => Err(DbError::NoSchema {
            declared: inventory::iter::<RegisteredSchema>.into_iter().map(|r| r.0.name).collect(),
        }),
    }
}

/// Declares an application's database schema and registers it, so `#[with_cells]` and the
/// `Cells` fixture find it. Directories are relative to the declaring crate's root.
///
/// ```
/// testrig::db::schema!(pub static SCHEMA, api = "tests/migrations/api", cells = "tests/migrations/cell");
///
/// assert_eq!(SCHEMA.name(), "SCHEMA");
/// ```
#[macro_export]
macro_rules! schema {
    ($vis:vis static $name:ident, api = $api:literal, cells = $cells:literal $(,)?) => {
        $vis static $name: $crate::db::Schema = $crate::db::Schema::new(
            ::core::stringify!($name),
            ::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", $api),
            ::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", $cells),
        );
        $crate::__private::inventory::submit! { $crate::db::RegisteredSchema(&$name) }
    };
}
