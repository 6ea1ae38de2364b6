//! The macros never panic: every input either expands or comes back as spanned errors with
//! the item. Driven here through the `proc_macro2` entry points, outside the compiler, with
//! random token streams and with valid inputs mutated token by token.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

use crate::attr::OurAttribute;
use crate::entry;

/// xorshift64*: reproducible cases without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const IDENTS: &[&str] = &[
    "fn",
    "async",
    "impl",
    "struct",
    "setup",
    "teardown",
    "self",
    "Self",
    "config",
    "case",
    "values",
    "with",
    "conf",
    "env",
    "with_cells",
    "poison_db",
    "capture_logs",
    "timeout",
    "service",
    "autouse",
    "scope",
    "once",
    "in",
    "unset",
    "flavor",
    "worker_threads",
    "allow_leaks",
    "no_autouse",
    "test",
    "fixture",
    "A",
    "u32",
    "mut",
    "pub",
    "const",
    "unsafe",
    "extern",
    "where",
    "dyn",
    "static",
];
const PUNCTS: &[char] = &['#', ',', ':', '=', '&', '<', '>', '-', '.', ';', '!', '\'', '*', '?', '@'];

fn random_tree(rng: &mut Rng, depth: usize) -> TokenTree {
    match rng.below(if depth > 3 { 4 } else { 5 }) {
        0 | 1 => TokenTree::Ident(Ident::new(IDENTS[rng.below(IDENTS.len())], Span::call_site())),
        2 => {
            let spacing = if rng.below(2) == 0 { Spacing::Alone } else { Spacing::Joint };
            TokenTree::Punct(Punct::new(PUNCTS[rng.below(PUNCTS.len())], spacing))
        }
        3 => TokenTree::Literal(match rng.below(4) {
            0 => Literal::u32_unsuffixed(rng.below(100) as u32),
            1 => Literal::f64_unsuffixed(rng.below(1000) as f64 / 7.0),
            2 => Literal::string("cell 1"),
            _ => Literal::i32_suffixed(-(rng.below(5) as i32)),
        }),
        _ => {
            let delimiter = [Delimiter::Parenthesis, Delimiter::Brace, Delimiter::Bracket][rng.below(3)];
            TokenTree::Group(Group::new(delimiter, random_stream(rng, depth + 1, 6)))
        }
    }
}

fn random_stream(rng: &mut Rng, depth: usize, max: usize) -> TokenStream {
    (0..rng.below(max + 1)).map(|_| random_tree(rng, depth)).collect()
}

/// `stream` with one random change: a token dropped, doubled, replaced, or a random one added;
/// also inside groups.
fn mutate(rng: &mut Rng, stream: TokenStream) -> TokenStream {
    let mut trees: Vec<TokenTree> = stream.into_iter().collect();
    if trees.is_empty() {
        return random_stream(rng, 0, 3);
    }
    let at = rng.below(trees.len());
    match rng.below(5) {
        0 => {
            trees.remove(at);
        }
        1 => {
            let copy = trees[at].clone();
            trees.insert(at, copy);
        }
        2 => trees[at] = random_tree(rng, 2),
        3 => trees.insert(at, random_tree(rng, 2)),
        _ => {
            if let TokenTree::Group(group) = &trees[at] {
                let inner = mutate(rng, group.stream());
                trees[at] = TokenTree::Group(Group::new(group.delimiter(), inner));
            } else {
                let other = rng.below(trees.len());
                trees.swap(at, other);
            }
        }
    }
    trees.into_iter().collect()
}

/// Valid inputs to mutate: (attribute arguments, item).
fn seeds() -> Vec<(Option<OurAttribute>, TokenStream, TokenStream)> {
    vec![
        (
            Some(OurAttribute::FixtureTest),
            quote!(flavor = "multi_thread", worker_threads = 2),
            quote! {
                #[with(A, B = 3)] #[conf(a.b = 1, in = CONF)] #[env(K = "v", O = unset)]
                #[case::one(1, "a")] #[should_panic] #[case(2, "b")]
                async fn t(a: &A, n: u32, s: &'static str, #[values(1, 2)] v: u8) -> Result<(), E> {}
            },
        ),
        (
            Some(OurAttribute::WithCells),
            quote!(in = db::SCHEMA, cell1, cell2),
            quote! {
                #[capture_logs] #[timeout(0.5)] #[service(start_api, crate::b::start)]
                fn t(cells: &Cells) {}
            },
        ),
        (
            None,
            quote!(scope = test),
            quote! {
                impl Cloud {
                    async fn setup(a: &A, #[options] c: &C) -> Result<Self, E> { todo!() }
                    async fn teardown(self) -> Result<(), E> { Ok(()) }
                }
            },
        ),
        (
            None,
            quote!(),
            quote!(
                fn make(a: &A) -> Port {
                    Port(1)
                }
            ),
        ),
    ]
}

fn expand(origin: Option<OurAttribute>, args: TokenStream, item: TokenStream) -> TokenStream {
    match origin {
        Some(origin) => entry::test(origin, args, item),
        None => entry::fixture(args, item),
    }
}

const ORIGINS: [Option<OurAttribute>; 12] = [
    None,
    Some(OurAttribute::FixtureTest),
    Some(OurAttribute::With),
    Some(OurAttribute::Conf),
    Some(OurAttribute::Env),
    Some(OurAttribute::WithCells),
    Some(OurAttribute::PoisonDb),
    Some(OurAttribute::CaptureLogs),
    Some(OurAttribute::Timeout),
    Some(OurAttribute::Service),
    Some(OurAttribute::Database),
    Some(OurAttribute::Databases),
];

#[test]
fn random_and_mutated_inputs_never_panic() {
    let mut rng = Rng(0x5eed_f1c7_u64);
    let mut runs = 0;
    for _ in 0..2_000 {
        let origin = ORIGINS[rng.below(ORIGINS.len())];
        let args = random_stream(&mut rng, 0, 6);
        let item = random_stream(&mut rng, 0, 8);
        let _ = expand(origin, args, item);
        runs += 1;
    }
    for (origin, args, item) in seeds() {
        // The seed itself expands without errors.
        let expanded = expand(origin, args.clone(), item.clone()).to_string();
        assert!(!expanded.contains("compile_error"), "{expanded}");
        for _ in 0..2_000 {
            let (mut args, mut item) = (args.clone(), item.clone());
            for _ in 0..=rng.below(3) {
                if rng.below(3) == 0 {
                    args = mutate(&mut rng, args);
                } else {
                    item = mutate(&mut rng, item);
                }
            }
            let origin = if rng.below(4) == 0 { ORIGINS[rng.below(ORIGINS.len())] } else { origin };
            let _ = expand(origin, args, item);
            runs += 1;
        }
    }
    assert_eq!(runs, 10_000);
}
