//! An application's database schema: its API migrations and its cell migrations.

use crate::db::DbError;

/// The migrations of an application's API database and of each cell database (cell0 and the
/// named cells share one schema, as in Nova). Declare it once with [`schema!`](crate::schema).
#[derive(Debug)]
pub struct Schema {
    name: &'static str,
    api_migrations: &'static str,
    cell_migrations: &'static str,
}

impl Schema {
    /// Prefer [`schema!`](crate::schema), which also registers it and resolves the
    /// directories against the declaring crate.
    pub const fn new(name: &'static str, api_migrations: &'static str, cell_migrations: &'static str) -> Self {
        Schema { name, api_migrations, cell_migrations }
    }

    /// The name given at the declaration.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn migrations(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Api => self.api_migrations,
            Kind::Cell => self.cell_migrations,
        }
    }
}

/// Which of a schema's two databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Api,
    Cell,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Api => "api",
            Kind::Cell => "cell",
        }
    }
}

/// Per-process cache of what a backend builds once per (schema, kind): the migrated template.
/// Concurrent first users wait for one build; a failed build is retried by the next user.
pub(crate) struct Templates<T> {
    cells: std::sync::Mutex<Vec<(TemplateKey, Built<T>)>>,
}

/// A schema (by address: schemas are statics) and which of its databases.
type TemplateKey = (usize, Kind);
type Built<T> = std::sync::Arc<tokio::sync::OnceCell<T>>;

impl<T: Clone> Templates<T> {
    pub(crate) const fn new() -> Self {
        Templates { cells: std::sync::Mutex::new(Vec::new()) }
    }

    pub(crate) async fn get_or_build<F>(&self, schema: &'static Schema, kind: Kind, build: F) -> Result<T, DbError>
    where
        F: std::future::Future<Output = Result<T, DbError>>,
    {
        let key = (schema as *const Schema as usize, kind);
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match cells.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = std::sync::Arc::new(tokio::sync::OnceCell::new());
                    cells.push((key, cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_try_init(|| build).await.cloned()
    }
}

#[doc(hidden)]
pub struct Registered(pub &'static Schema);

inventory::collect!(Registered);

/// The one declared schema, for tests that do not name one.
pub(crate) fn default_schema() -> Result<&'static Schema, DbError> {
    let mut declared = inventory::iter::<Registered>.into_iter().map(|registered| registered.0);
    match (declared.next(), declared.next()) {
        (Some(only), None) => Ok(only),
        _ => Err(DbError::NoSchema { declared: inventory::iter::<Registered>.into_iter().map(|r| r.0.name).collect() }),
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
        $crate::__private::inventory::submit! { $crate::db::Registered(&$name) }
    };
}
