//! A slot for what may be written once (serde_derive's `Attr<T>`): the second `set` reports
//! the duplicate at its own tokens, so no grammar keeps `seen_*` flags or its own check.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::ctxt::Ctxt;
use crate::messages;

pub struct Attr<'c, T> {
    cx: &'c Ctxt,
    /// The option's key: a second value is told "duplicate option", put into words only then
    /// (a slot is made for every option of every test, and the macro runs unoptimized).
    name: &'static str,
    value: Option<T>,
}

/// An option without a value (`allow_leaks`, `#[poison_db]`): where it was written.
pub type Flag<'c> = Attr<'c, proc_macro2::Span>;

impl<'c, T> Attr<'c, T> {
    /// An option of an attribute's list (`flavor = ..`): a second one is "duplicate option".
    pub fn option(cx: &'c Ctxt, name: &'static str) -> Self {
        Attr { cx, name, value: None }
    }

    /// Stores `value`, or reports a second one at `at` (an empty `at`: the call site, which
    /// is the attribute being expanded).
    pub fn set<A: ToTokens>(&mut self, at: A, value: T) {
        self.set_with(at, || value);
    }

    /// As [`Attr::set`], making the value only for the first: a duplicate's own arguments are
    /// not read, so it gets one error, not one per mistake in it.
    pub fn set_with<A: ToTokens>(&mut self, at: A, value: impl FnOnce() -> T) {
        if self.value.is_some() {
            let at: TokenStream = at.into_token_stream();
            self.cx.error_spanned_by(at, messages::duplicate_option(self.name));
        } else {
            self.value = Some(value());
        }
    }

    pub fn is_set(&self) -> bool {
        self.value.is_some()
    }

    pub fn get(self) -> Option<T> {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn the_second_value_is_reported_at_its_tokens_and_the_first_kept() {
        let cx = Ctxt::new();
        let mut slot = Attr::option(&cx, "flavor");
        slot.set(quote!(flavor), 1);
        slot.set_with(quote!(flavor), || unreachable!("a duplicate's value is not made"));
        assert_eq!(slot.get(), Some(1));
        let errors = cx.into_messages();
        assert_eq!(errors, [messages::duplicate_option("flavor")]);
    }
}
