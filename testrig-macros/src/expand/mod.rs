//! Turning checked IR into code. Generated code is small: data plus one call into
//! `::testrig::__private`, where the logic lives.

mod by_name;
mod cases;
mod database;
mod fixture;
mod fixture_fn;
pub mod lower;
pub mod roots;
mod test;

pub use self::fixture::{fixture, fixture_fallback};
pub use self::test::{test, test_fallback};

use syn::Type;

/// The short name of a fixture type for messages: `Cells` for `crate::db::Cells`.
fn display_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) => last.ident.to_string(),
            None => String::new(),
        },
        other => quote::ToTokens::to_token_stream(other).to_string(),
    }
}
