//! What can go wrong reaching a database, each naming the cause and never a password.

use std::fmt;

/// An error from `testrig::db` or the `Cells` fixture.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DbError {
    /// `testrig::db::cell()` was called with no cell targeted.
    Untargeted,
    /// A cell name the test did not create.
    UnknownCell {
        /// The name asked for.
        name: String,
        /// The cells the test has.
        known: Vec<String>,
    },
    /// Outside a test, and no production databases were configured.
    NotConfigured {
        /// Which database was asked for.
        what: &'static str,
    },
    /// No `testrig::db::schema!` is declared, or several and the test did not pick one.
    NoSchema {
        /// The schemas declared in the binary.
        declared: Vec<&'static str>,
    },
    /// The `Cells` of this test were already torn down.
    TornDown,
    /// A migration directory could not be read or a migration failed.
    Migration {
        /// The schema being migrated.
        schema: &'static str,
        /// Its migration directory.
        dir: &'static str,
        /// What went wrong.
        cause: String,
    },
    /// A seed script failed while building a template.
    Seed {
        /// The database it seeds (`owner.database`).
        database: String,
        /// The seed's name.
        seed: &'static str,
        /// What went wrong.
        cause: String,
    },
    /// No database URL for a backend a test asked for.
    NoUrl {
        /// The backend, and the variables read, in order.
        backend: &'static str,
        /// The environment variables consulted.
        variables: &'static [&'static str],
    },
    /// A database could not be created, reached or dropped.
    Database {
        /// Which database, named without its password.
        what: String,
        /// What went wrong.
        cause: String,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Untargeted => f.write_str(
                "no cell is targeted: wrap the code in `cells.target(\"cell1\", async { .. })` \
                 (or `cells.target_sync`), and spawn its tasks with `testrig::spawn` so they keep the target",
            ),
            DbError::UnknownCell { name, known } => {
                write!(f, "unknown cell `{name}`: this test has {}", known.join(", "))
            }
            DbError::NotConfigured { what } => write!(
                f,
                "no {what} database: outside a test call `testrig::db::configure(..)` first; \
                 inside a test, claim databases with `#[with_cells(..)]`"
            ),
            DbError::NoSchema { declared } if declared.is_empty() => f.write_str(
                "no database schema is declared: add `testrig::db::schema!(pub static SCHEMA, api = \"migrations/api\", cells = \"migrations/cells\");` to the application",
            ),
            DbError::NoSchema { declared } => write!(
                f,
                "several schemas are declared ({}): pick one with `#[with_cells(in = path::to::SCHEMA, ..)]`",
                declared.join(", ")
            ),
            DbError::TornDown => f.write_str("this test's cell databases were already torn down"),
            DbError::Migration { schema, dir, cause } => {
                write!(f, "migrating schema `{schema}` from `{dir}` failed: {cause}")
            }
            DbError::Seed { database, seed, cause } => {
                write!(f, "seeding database `{database}` with `{seed}` failed: {}", redact(cause))
            }
            DbError::NoUrl { backend, variables } => {
                write!(
                    f,
                    "no {backend} server to make the test's database on: set {} to a URL like `postgres://user:password@localhost/postgres`",
                    variables.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" or ")
                )?;
                if cfg!(any(target_os = "linux", target_os = "android")) {
                    write!(
                        f,
                        ", or install PostgreSQL's server binaries (`initdb`, `postgres`: e.g. `apt-get install postgresql`) \
                         and testrig starts a throwaway server for the run (looked in TESTRIG_PG_BINDIR, PATH, \
                         /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin, `pg_config --bindir`)"
                    )?;
                }
                Ok(())
            }
            DbError::Database { what, cause } => write!(f, "{what}: {}", redact(cause)),
        }
    }
}

impl std::error::Error for DbError {}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, anywhere in `text`.
pub(crate) fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme) = rest.find("://") {
        let (head, tail) = rest.split_at(scheme + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', ' ', '?', '#']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("cannot connect to postgres://nova:s3cr:et@127.0.0.1:5432/api: refused"),
            "cannot connect to postgres://nova:***@127.0.0.1:5432/api: refused"
        );
        assert_eq!(redact("postgres://nova@host/db"), "postgres://nova@host/db");
        assert_eq!(redact("no url here"), "no url here");
    }
}
