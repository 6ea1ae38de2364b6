//! `#[with_cells(cell1, cell2)]`, `#[with_cells(in = path::to::SCHEMA, cell1)]`: the
//! database cells a test gets.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Token};

use super::slot::Attr;
use super::{parse_list, report_at, until_comma, Target};
use crate::ctxt::Ctxt;
use crate::messages;

/// `#[with_cells(cell1, cell2)]`, `#[with_cells(in = path::to::SCHEMA, cell1)]`.
pub struct CellsAttr {
    pub schema: Option<syn::Path>,
    pub names: Vec<String>,
}

enum CellItem {
    Schema(Target),
    Name(syn::Ident),
}

impl Parse for CellItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if let Some(target) = Target::parse_if_present(input)? {
            return Ok(CellItem::Schema(target));
        }
        if input.peek(syn::Ident) && !input.peek2(Token![-]) && !input.peek2(Token![.]) && !input.peek2(Token![::]) {
            return Ok(CellItem::Name(input.parse()?));
        }
        // Anything else up to the next comma is not a cell name.
        Err(syn::Error::new_spanned(until_comma(input)?, messages::BAD_CELL_NAME))
    }
}

pub fn parse(args: TokenStream, attribute: Option<&Attribute>, cx: &Ctxt) -> Option<CellsAttr> {
    let items = parse_list::<CellItem>(args, cx)?;
    let mut schema = Attr::option(cx, "in");
    let mut cells = CellsAttr { schema: None, names: Vec::new() };
    for item in items {
        match item {
            CellItem::Schema(target) => target.store(&mut schema),
            CellItem::Name(name) => {
                let text = name.to_string();
                if text == "api" || text == "cell0" {
                    cx.error_spanned_by(&name, messages::reserved_cell_name(&text));
                } else if cells.names.contains(&text) {
                    cx.error_spanned_by(&name, messages::duplicate_cell(&text));
                } else {
                    cells.names.push(text);
                }
            }
        }
    }
    if cells.names.is_empty() {
        report_at(attribute, messages::EMPTY_CELLS, cx);
    }
    cells.schema = schema.get();
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn cells_reject_reserved_duplicate_and_non_identifier_names() {
        let cx = Ctxt::new();
        let cells = parse(quote!(in = db::SCHEMA, cell1, api, cell1, cell0), None, &cx).unwrap();
        assert_eq!(cells.names, ["cell1"]);
        assert!(cells.schema.is_some());
        parse(quote!("cell 1"), None, &cx);
        let errors = cx.into_messages();
        assert_eq!(
            errors,
            [
                messages::reserved_cell_name("api"),
                messages::duplicate_cell("cell1"),
                messages::reserved_cell_name("cell0"),
                messages::BAD_CELL_NAME.to_owned(),
            ]
        );
    }
}
