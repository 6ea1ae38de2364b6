//! The cases of a parametrized test: every `#[case]` row (or one, without rows) times every
//! combination of the `#[values]` parameters, each with its name and its values.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Attribute, Expr, Ident};

use crate::ast::TestFn;

/// One generated test.
pub struct Case<'a> {
    /// `case_2_cross_cell`, `flavor_1__cells_2`, `case_1__flavor_2`.
    pub name: Ident,
    /// A value per parameter taken by value, in parameter order.
    pub values: Vec<&'a Expr>,
    /// `#[should_panic]` / `#[ignore]` written after this case's row.
    pub attrs: Vec<&'a Attribute>,
}

pub fn cases<'a>(test: &'a TestFn) -> Vec<Case<'a>> {
    // Per parameter taken by value: its `#[values]`, or `None` for one filled by the rows.
    let by_value: Vec<(String, Option<&'a [Expr]>)> = test
        .params
        .iter()
        .filter(|param| param.is_case_value())
        .map(|param| {
            let name = param.original.pat.to_token_stream().to_string().replace(' ', "");
            let values = match &param.values {
                Some((_, Ok(values))) => Some(values.as_slice()),
                _ => None,
            };
            (name, values)
        })
        .collect();
    let rows: Vec<Option<usize>> =
        if test.cases.is_empty() { vec![None] } else { (0..test.cases.len()).map(Some).collect() };
    let row_width = digits(test.cases.len());
    let mut out = Vec::new();
    for row in rows {
        // Odometer over the `#[values]` parameters.
        let mut picks: Vec<usize> = vec![0; by_value.len()];
        loop {
            out.push(case(test, &by_value, row, row_width, &picks));
            let mut position = by_value.len();
            let advanced = loop {
                if position == 0 {
                    break false;
                }
                position -= 1;
                if let (_, Some(values)) = &by_value[position] {
                    if picks[position] + 1 < values.len() {
                        picks[position] += 1;
                        break true;
                    }
                    picks[position] = 0;
                }
            };
            if !advanced {
                break;
            }
        }
    }
    out
}

fn case<'a>(
    test: &'a TestFn,
    by_value: &[(String, Option<&'a [Expr]>)],
    row: Option<usize>,
    row_width: usize,
    picks: &[usize],
) -> Case<'a> {
    let mut parts = Vec::new();
    let mut attrs = Vec::new();
    let mut row_values = row.map(|row| test.cases[row].values.iter()).into_iter().flatten();
    if let Some(row) = row {
        let case = &test.cases[row];
        let mut part = format!("case_{:0row_width$}", row + 1);
        if let Some(name) = &case.name {
            part.push('_');
            part.push_str(&name.to_string());
        }
        parts.push(part);
        attrs.extend(case.attrs.iter().copied());
    }
    let mut values = Vec::new();
    for ((name, param_values), pick) in by_value.iter().zip(picks) {
        match param_values {
            Some(param_values) => {
                parts.push(format!("{name}_{:0width$}", pick + 1, width = digits(param_values.len())));
                values.push(&param_values[*pick]);
            }
            None => {
                if let Some(value) = row_values.next() {
                    values.push(value);
                }
            }
        }
    }
    let name = parts.join("__");
    Case { name: Ident::new(&name, Span::call_site()), values, attrs }
}

/// How many digits the largest 1-based index of `count` items takes, so names sort.
fn digits(count: usize) -> usize {
    count.max(1).to_string().len()
}
