//! `#[testrig::test(flavor = "multi_thread", worker_threads = 2, start_paused = true,
//! allow_leaks, no_autouse)]`.

use proc_macro2::{Span, TokenStream};
use syn::{Lit, Meta};

use super::slot::{Attr, Flag};
use super::symbol::{ALLOW_LEAKS, FIXTURES, FLAVOR, MIGRATIONS, MIGRATOR, NO_AUTOUSE, START_PAUSED, WORKER_THREADS};
use super::{literal, options, OptionEntry};
use crate::ctxt::Ctxt;
use crate::messages;

/// The runtime a test asked for, each option with the span of its key.
#[derive(Default)]
pub struct TestOptions {
    pub flavor: Option<(Flavor, Span)>,
    pub worker_threads: Option<(usize, Span)>,
    /// `allow_leaks`: tasks and threads still running after teardown do not fail the test.
    pub allow_leaks: Option<Span>,
    /// `no_autouse`: no `#[fixture(autouse)]` fixture applies to this test.
    pub no_autouse: Option<Span>,
    /// `start_paused = true`: the async test's tokio clock starts paused.
    pub start_paused: Option<(bool, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    CurrentThread,
    MultiThread,
}

const TEST_OPTIONS: &[&str] = &[FLAVOR, WORKER_THREADS, START_PAUSED, ALLOW_LEAKS, NO_AUTOUSE];

impl TestOptions {
    /// Parses `flavor = "..", worker_threads = N, ..`; several `#[testrig::test]` attributes
    /// are rejected before this, so a repeated key is always a duplicate.
    pub fn parse(args: TokenStream, cx: &Ctxt) -> Self {
        let mut flavor = Attr::option(cx, FLAVOR);
        let mut worker_threads = Attr::option(cx, WORKER_THREADS);
        let mut start_paused = Attr::option(cx, START_PAUSED);
        let mut allow_leaks = Flag::option(cx, ALLOW_LEAKS);
        let mut no_autouse = Flag::option(cx, NO_AUTOUSE);
        for OptionEntry { meta, key: key_text, span } in options(args, cx) {
            let key = meta.path();
            let flag = match key_text.as_str() {
                ALLOW_LEAKS => Some(&mut allow_leaks),
                NO_AUTOUSE => Some(&mut no_autouse),
                _ => None,
            };
            if let Some(flag) = flag {
                match &meta {
                    Meta::Path(_) => flag.set(key, span),
                    _ => cx.error_spanned_by(&meta, messages::flag_with_value(&key_text)),
                }
                continue;
            }
            let Meta::NameValue(name_value) = &meta else {
                if TEST_OPTIONS.contains(&key_text.as_str()) {
                    cx.error_spanned_by(&meta, format!("`{key_text}` needs a value: write `{key_text} = ..`"));
                } else {
                    cx.error_spanned_by(key, unknown(&key_text));
                }
                continue;
            };
            let value = &name_value.value;
            // A wrong value is reported and leaves the slot set: a second one is still a
            // duplicate, not a second mistake.
            match key_text.as_str() {
                FLAVOR => flavor.set_with(key, || match literal(value) {
                    Some(Lit::Str(text)) if text.value() == "current_thread" => Some((Flavor::CurrentThread, span)),
                    Some(Lit::Str(text)) if text.value() == "multi_thread" => Some((Flavor::MultiThread, span)),
                    _ => bad(cx, value, messages::BAD_FLAVOR),
                }),
                WORKER_THREADS => worker_threads.set_with(key, || match literal(value) {
                    Some(Lit::Int(int)) => match int.base10_parse::<usize>() {
                        Ok(count) if count > 0 => Some((count, span)),
                        _ => bad(cx, value, messages::BAD_WORKERS),
                    },
                    _ => bad(cx, value, messages::BAD_WORKERS),
                }),
                START_PAUSED => start_paused.set_with(key, || match literal(value) {
                    Some(Lit::Bool(paused)) => Some((paused.value, span)),
                    _ => bad(cx, value, messages::BAD_START_PAUSED),
                }),
                other => cx.error_spanned_by(key, unknown(other)),
            }
        }
        TestOptions {
            flavor: flavor.get().flatten(),
            worker_threads: worker_threads.get().flatten(),
            allow_leaks: allow_leaks.get(),
            no_autouse: no_autouse.get(),
            start_paused: start_paused.get().flatten(),
        }
    }
}

/// What an unknown key is told: `#[sqlx::test(..)]`'s database options (`fixtures`,
/// `migrations`, `migrator`) are `#[database(..)]`'s here, which says so; any other, the valid
/// keys.
fn unknown(key: &str) -> String {
    match key {
        FIXTURES | MIGRATIONS | MIGRATOR => messages::database_option_on_test(key),
        other => messages::unknown_option("testrig::test", other, TEST_OPTIONS),
    }
}

/// Reports a value that is not one the option takes.
fn bad<T>(cx: &Ctxt, value: &syn::Expr, message: &str) -> Option<T> {
    cx.error_spanned_by(value, message);
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn options(args: TokenStream) -> (TestOptions, Vec<String>) {
        let cx = Ctxt::new();
        let options = TestOptions::parse(args, &cx);
        (options, cx.into_messages())
    }

    #[test]
    fn parses_flavor_and_workers() {
        let (parsed, errors) = options(quote!(flavor = "multi_thread", worker_threads = 3));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(parsed.flavor.map(|(f, _)| f), Some(Flavor::MultiThread));
        assert_eq!(parsed.worker_threads.map(|(n, _)| n), Some(3));
    }

    #[test]
    fn reports_every_bad_option() {
        let (_, errors) = options(quote!(flavour = "x", flavor = "fast", worker_threads = 0));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("unknown option `flavour`"));
        assert!(errors[0].contains("`flavor`, `worker_threads`"));
        assert_eq!(errors[1], messages::BAD_FLAVOR);
        assert_eq!(errors[2], messages::BAD_WORKERS);
    }

    #[test]
    fn duplicate_option_is_an_error() {
        let (_, errors) = options(quote!(flavor = "multi_thread", flavor = "current_thread"));
        assert_eq!(errors, [messages::duplicate_option("flavor")]);
        let (_, errors) = options(quote!(allow_leaks, no_autouse, allow_leaks));
        assert_eq!(errors, [messages::duplicate_option("allow_leaks")]);
    }
}
