//! rstest's attributes on a parameter, each read as rstest reads it: `#[case]` (a case
//! value), `#[from(path)]` (the fixture function at `path`), `#[with(a, b)]` (that function's
//! first arguments), `#[default(v)]` (a fixture function's argument when none is given),
//! `#[by_ref]` (a reference to the value), `#[future]` / `#[future(awt)]` / `#[awt]` (the
//! future of an async fixture, or its value awaited), `#[context]` (the running test's
//! name and case), `#[notrace]` (left out of `#[trace]`).

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Token};

use crate::messages;

/// The marks on one parameter, each with the attribute that wrote it.
#[derive(Default)]
pub struct Marks<'a> {
    pub case: Option<&'a Attribute>,
    pub from: Option<(&'a Attribute, syn::Path)>,
    pub with: Option<(&'a Attribute, Vec<Expr>)>,
    pub default: Option<(&'a Attribute, Expr)>,
    pub by_ref: Option<&'a Attribute>,
    /// `#[future]`; `true` when it is `#[future(awt)]`.
    pub future: Option<(&'a Attribute, bool)>,
    pub awt: Option<&'a Attribute>,
    pub context: Option<&'a Attribute>,
    pub notrace: Option<&'a Attribute>,
    /// What did not parse, or was written twice: reported by the checks.
    pub errors: Vec<syn::Error>,
}

/// The names of the marks, for stripping them off the user's function.
const NAMES: &[&str] = &["case", "from", "with", "default", "by_ref", "future", "awt", "context", "notrace"];

/// rstest's options of `#[files]` not read yet: each an error saying so. (The others are read
/// by `parse::files`.)
const NOT_YET: &[&str] = &["exclude", "ignore_missing_env_vars"];

pub fn is_mark(attribute: &Attribute) -> bool {
    NAMES.iter().chain(NOT_YET).any(|name| attribute.path().is_ident(name)) || crate::parse::files::is_option(attribute)
}

impl<'a> Marks<'a> {
    pub fn read(attrs: &'a [Attribute]) -> Self {
        let mut marks = Marks::default();
        for attribute in attrs {
            let Some(name) = attribute.path().get_ident().map(ToString::to_string) else { continue };
            if NOT_YET.contains(&name.as_str()) {
                marks.errors.push(syn::Error::new_spanned(attribute, messages::files_option_not_yet(&name)));
                continue;
            }
            let seen = match name.as_str() {
                "case" if !matches!(attribute.meta, syn::Meta::Path(_)) => {
                    marks.errors.push(syn::Error::new_spanned(attribute, messages::CASE_MARK_WITH_ARGS));
                    false
                }
                "case" => marks.case.replace(attribute).is_some(),
                "from" => match attribute.parse_args::<syn::Path>() {
                    Ok(path) => marks.from.replace((attribute, path)).is_some(),
                    Err(_) => {
                        marks.errors.push(syn::Error::new_spanned(attribute, messages::FROM_SYNTAX));
                        false
                    }
                },
                "with" => match attribute.parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                    Ok(args) => marks.with.replace((attribute, args.into_iter().collect())).is_some(),
                    Err(error) => {
                        marks.errors.push(error);
                        false
                    }
                },
                "default" => match attribute.parse_args::<Expr>() {
                    Ok(value) => marks.default.replace((attribute, value)).is_some(),
                    Err(_) => {
                        marks.errors.push(syn::Error::new_spanned(attribute, messages::DEFAULT_SYNTAX));
                        false
                    }
                },
                "by_ref" => marks.by_ref.replace(attribute).is_some(),
                "future" => {
                    let awt = match &attribute.meta {
                        syn::Meta::Path(_) => Some(false),
                        syn::Meta::List(list) => match list.parse_args::<syn::Ident>() {
                            Ok(ident) if ident == "awt" => Some(true),
                            _ => None,
                        },
                        syn::Meta::NameValue(_) => None,
                    };
                    match awt {
                        Some(awt) => marks.future.replace((attribute, awt)).is_some(),
                        None => {
                            marks.errors.push(syn::Error::new_spanned(attribute, messages::FUTURE_SYNTAX));
                            false
                        }
                    }
                }
                "awt" => marks.awt.replace(attribute).is_some(),
                "context" => marks.context.replace(attribute).is_some(),
                "notrace" => marks.notrace.replace(attribute).is_some(),
                _ => false,
            };
            if seen {
                marks.errors.push(syn::Error::new_spanned(attribute, messages::mark_twice(&name)));
            }
        }
        marks
    }

    /// The first mark that says the parameter is a fixture function's value (rstest's
    /// injection): `#[from]`, `#[with]`, `#[by_ref]`, `#[future]`, `#[awt]`.
    pub fn fixture_function_mark(&self) -> Option<&'a Attribute> {
        fn first<'a, T>(mark: &Option<(&'a Attribute, T)>) -> Option<&'a Attribute> {
            mark.as_ref().map(|(attribute, _)| *attribute)
        }
        first(&self.from).or(first(&self.with)).or(self.by_ref).or(first(&self.future)).or(self.awt)
    }

    pub fn names_a_fixture_function(&self) -> bool {
        self.fixture_function_mark().is_some()
    }

    /// The first of rstest's marks, whatever it says.
    pub fn any(&self) -> Option<&'a Attribute> {
        self.fixture_function_mark()
            .or(self.default.as_ref().map(|(attribute, _)| *attribute))
            .or(self.case)
            .or(self.context)
    }
}
