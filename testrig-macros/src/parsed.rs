//! What our attributes said, as their grammars read them: the values the attribute table's
//! rows (`attr`) make, a test keeps in the order written, and lowering reads.

use proc_macro2::{Span, TokenStream};

use crate::parse::cells::CellsAttr;
use crate::parse::conf::ConfAttr;
use crate::parse::database::{DatabaseAttr, DatabasesAttr};
use crate::parse::env::EnvEntry;
use crate::parse::test_options::TestOptions;
use crate::parse::with::WithEntry;

/// What one of our attributes said, as its grammar read it.
pub enum Parsed {
    Options(TestOptions),
    With(Vec<WithEntry>),
    Conf(Vec<ConfAttr>),
    Env(Vec<EnvEntry>),
    /// `None`: its arguments were wrong (reported); a second one is still a duplicate.
    Cells(Option<CellsAttr>),
    Database(DatabaseAttr),
    Databases(DatabasesAttr),
    /// An attribute without arguments (`#[poison_db]`), where it was written.
    Flag(Span),
    Timeout(Option<TokenStream>),
    Services(Vec<syn::Path>),
}

impl Parsed {
    /// `#[env]`'s variables; none for another attribute.
    pub fn env(&self) -> &[EnvEntry] {
        match self {
            Parsed::Env(entries) => entries,
            _ => &[],
        }
    }

    /// `#[conf]`'s layers; none for another attribute.
    pub fn confs(&self) -> &[ConfAttr] {
        match self {
            Parsed::Conf(confs) => confs,
            _ => &[],
        }
    }

    /// `#[service]`'s start functions; none for another attribute.
    pub fn services(&self) -> &[syn::Path] {
        match self {
            Parsed::Services(paths) => paths,
            _ => &[],
        }
    }
}
