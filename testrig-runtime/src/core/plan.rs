//! The compile-time plan: which fixtures a test needs and in what order they are set up.
//!
//! Everything here is `const fn`: `#[testrig::test]` evaluates it in a `const` item, so the
//! transitive closure and the topological order are computed by the compiler and a cycle is
//! a compile error. Nothing is sorted at run time.

use crate::core::fixture::{FixtureRef, Refusal, Shared};

/// The most fixtures one test's plan can hold (its own plus all transitive dependencies).
pub const MAX_FIXTURES: usize = 64;

/// How many fixtures the plan for `roots` holds, dependencies included.
#[doc(hidden)]
pub const fn plan_len(roots: &[FixtureRef]) -> usize {
    walked(roots).len
}

/// The setup order for `roots`: every fixture after all of its dependencies, each once,
/// roots in the order given. `N` must be [`plan_len`]`(roots)`.
#[doc(hidden)]
pub const fn plan<const N: usize>(roots: &[FixtureRef]) -> [FixtureRef; N] {
    walked(roots).to_plan()
}

/// The walk of a test's roots, computed once in a `const` item of the test: its length sizes
/// the plan array and [`Walked::to_plan`] fills it, so the compiler walks each test once.
#[doc(hidden)]
///
/// A cycle gives the fixtures walked before it: the `check_acyclic` of the fixtures on it
/// fails the build, once, where they are defined, rather than once more per test.
pub const fn walked(roots: &[FixtureRef]) -> Walked {
    match walk(roots) {
        Ok(walked) => walked,
        Err(cycle) => cycle.walked,
    }
}

impl Walked {
    /// How many fixtures the plan holds.
    pub const fn len(&self) -> usize {
        self.len
    }

    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The plan as an array; `N` must be [`Walked::len`].
    pub const fn to_plan<const N: usize>(&self) -> [FixtureRef; N] {
        assert!(self.len == N, "fixture plan length mismatch");
        let mut out = [FALLBACK; N];
        let mut i = 0;
        while i < N {
            out[i] = self.order[i];
            i += 1;
        }
        out
    }

    /// The plan, borrowed from the walk.
    pub(crate) fn order(&self) -> &[FixtureRef] {
        self.order.split_at(self.len).0
    }

    /// The plan, borrowed from a walk kept in static memory.
    pub const fn as_plan(&'static self) -> &'static [FixtureRef] {
        self.order.split_at(self.len).0
    }
}

/// A test's roots as one type, `(A, B, ..)`: its plan is walked once per distinct tuple of
/// root types, shared by every test that names the same fixtures in the same order. Each
/// test walking its own in a `const` item made the compiler walk 200 times for 200 tests
/// (28% of the test crate's compile time in benches/compare_build.sh).
#[doc(hidden)]
pub trait Roots {
    /// The walk of the roots, in order.
    const WALKED: Walked;
    /// [`Roots::WALKED`] in static memory.
    const WALKED_REF: &'static Walked = &Self::WALKED;
    /// The plan: dependencies first.
    const PLAN: &'static [FixtureRef] = Self::WALKED_REF.as_plan();
}

macro_rules! roots_of_tuples {
    ($($fixture:ident)+) => {
        impl<$($fixture: crate::core::fixture::Fixture),+> Roots for ($($fixture,)+) {
            const WALKED: Walked = walked(&[$(<$fixture as crate::core::fixture::Fixture>::META),+]);
        }
    };
}

impl Roots for () {
    const WALKED: Walked = walked(&[]);
}
roots_of_tuples!(A);
roots_of_tuples!(A B);
roots_of_tuples!(A B C);
roots_of_tuples!(A B C D);
roots_of_tuples!(A B C D E);
roots_of_tuples!(A B C D E F);
roots_of_tuples!(A B C D E F G);
roots_of_tuples!(A B C D E F G H);
roots_of_tuples!(A B C D E F G H I);
roots_of_tuples!(A B C D E F G H I J);
roots_of_tuples!(A B C D E F G H I J K);
roots_of_tuples!(A B C D E F G H I J K L);

/// Fails compilation if `root` is on a dependency cycle and is the member that reports it:
/// `#[fixture]` evaluates it for every fixture, so a cycle is reported where the fixtures are
/// defined, even before a test uses them — once, by the member whose id sorts first (each
/// member's walk finds the same cycle).
#[doc(hidden)]
pub const fn check_acyclic(root: FixtureRef) {
    if let Err(cycle) = walk(&[root]) {
        if cycle.reported_by(root) {
            panic!("{}", cycle.message().as_str())
        }
    }
}

/// Fails compilation if a `scope = once` fixture requires a per-test fixture (the once
/// instance would outlive the test whose fixture it was built from), or a `scope = run` one
/// requires anything but run fixtures (it is set up once for every process of the run).
#[doc(hidden)]
pub const fn check_once_requirements(fixture: FixtureRef) {
    let meta = fixture.get();
    let Some(shared) = meta.once else { return };
    let mut i = 0;
    while i < meta.deps.len() {
        let dep = meta.deps[i].get();
        let dep_per_run = matches!(dep.once, Some(Shared { per_run: true, .. }));
        if shared.per_run && !dep_per_run {
            let message = Message::joined(&[
                "fixture `",
                meta.name,
                "` is set up once per run, for every test process (`scope = run`), and cannot require `",
                dep.name,
                "`, which is not: make `",
                dep.name,
                "` `#[fixture(scope = run)]` too, or make `",
                meta.name,
                "` `scope = once` (once per process)",
            ]);
            panic!("{}", message.as_str());
        }
        if dep.once.is_none() {
            let message = Message::joined(&[
                "fixture `",
                meta.name,
                "` is set up once per process (`scope = once`) and cannot require `",
                dep.name,
                "`, which is set up for each test: make `",
                dep.name,
                "` `#[fixture(scope = once)]` too, or set `",
                meta.name,
                "` up per test",
            ]);
            panic!("{}", message.as_str());
        }
        i += 1;
    }
}

/// Fails compilation unless the test's parameter taking `fixture` as `how` (`&mut` or by
/// value) is the only user of it: no other root names it, no fixture of the plan requires it
/// (it saw the instance the test would change or move away), and it is not a `scope = once`
/// fixture, which every test of the process shares.
/// [`check_exclusive`] of a fixture a parameter takes by value: none for a
/// `#[fixture(by_value = clone)]`, whose test instance stays for its other users.
#[doc(hidden)]
pub const fn check_taken(plan: &[FixtureRef], roots: &[FixtureRef], fixture: FixtureRef) {
    if !fixture.get().cloned_by_value {
        check_exclusive(plan, roots, fixture, "by value");
    }
}

#[doc(hidden)]
pub const fn check_exclusive(plan: &[FixtureRef], roots: &[FixtureRef], fixture: FixtureRef, how: &str) {
    let meta = fixture.get();
    let mut message = Message::joined(&["this test takes `", meta.name, "` ", how]);
    if let Some(shared) = meta.once {
        message.push(match shared.per_run {
            true => ", but it is set up once and shared by every test of the run (`scope = run`): take `&",
            false => ", but it is set up once and shared by every test of the process (`scope = once`): take `&",
        });
        message.push(meta.name);
        message.push("`");
        panic!("{}", message.as_str());
    }
    let mut named = 0;
    let mut i = 0;
    while i < roots.len() {
        if same(roots[i], fixture) {
            named += 1;
        }
        i += 1;
    }
    if named > 1 {
        message.push(", so nothing else may name it, but the test names it again: take it once");
        panic!("{}", message.as_str());
    }
    let mut i = 0;
    while i < plan.len() {
        let user = plan[i].get();
        let mut d = 0;
        while d < user.deps.len() {
            if same(user.deps[d], fixture) {
                message.push_all(&[
                    ", but fixture `",
                    user.name,
                    "` requires it too and has seen the instance: take `&",
                    meta.name,
                    "`, or stop `",
                    user.name,
                    "` from requiring it",
                ]);
                panic!("{}", message.as_str());
            }
            d += 1;
        }
        i += 1;
    }
}

/// Fails compilation if a fixture of the plan claims what the test refused (see [`Refusal`]).
#[doc(hidden)]
pub const fn check_refusal(roots: &[FixtureRef], refusal: &Refusal) {
    let walked = walked(roots);
    // From the end: the plan lists dependencies first, so the fixture named is the one the
    // test asked for (`sqlx::SqlitePool`), not the `Database` behind it.
    let mut i = walked.len;
    while i > 0 {
        i -= 1;
        let meta = walked.order[i].get();
        if meta.claims.overlap(refusal.refused) {
            let message = Message::joined(&[
                "`",
                refusal.attribute,
                "` says this test does not use ",
                refusal.resource,
                ", but it needs the fixture `",
                meta.name,
                "`, which does: remove `",
                refusal.attribute,
                "`, or the parameter or fixture that brings `",
                meta.name,
                "`",
            ]);
            panic!("{}", message.as_str());
        }
    }
}

#[doc(hidden)]
pub struct Walked {
    /// The first `len` are the plan; the rest are [`FALLBACK`] (never read).
    order: [FixtureRef; MAX_FIXTURES],
    len: usize,
}

/// Fills an empty plan array (never read).
const FALLBACK: FixtureRef = crate::core::fixture::FALLBACK_META;

/// A dependency cycle a walk ran into: the path from the walk's root, where the cycle starts
/// on it, and what the walk had finished before.
struct Cycle {
    path: [Option<(FixtureRef, usize)>; MAX_FIXTURES],
    start: usize,
    depth: usize,
    walked: Walked,
}

impl Cycle {
    /// Whether `root`, whose walk found this cycle, is its reporter: on it, and first of its
    /// members by id.
    const fn reported_by(&self, root: FixtureRef) -> bool {
        if self.start != 0 {
            return false;
        }
        let mut i = 0;
        while i < self.depth {
            if let Some((member, _)) = self.path[i] {
                if str_lt(member.get().id, root.get().id) {
                    return false;
                }
            }
            i += 1;
        }
        true
    }

    /// `fixture dependency cycle: A -> B -> A; ..`
    const fn message(&self) -> Message {
        let mut message = Message::joined(&["fixture dependency cycle: "]);
        let mut i = self.start;
        while i < self.depth {
            if let Some((fixture, _)) = self.path[i] {
                message.push(fixture.get().name);
                message.push(" -> ");
            }
            i += 1;
        }
        if let Some((back_to, _)) = self.path[self.start] {
            message.push(back_to.get().name);
        }
        message.push("; each `setup` parameter `&T` makes `T` a dependency, so remove one of them");
        message
    }
}

/// Byte-wise `a < b`.
const fn str_lt(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Iterative depth-first post-order walk. Iterative rather than recursive so that a const
/// panic shows one "inside `walk`" note instead of one per level of depth.
// Only evaluated by the compiler (const items): the size of `Cycle` costs nothing at run time.
#[allow(clippy::result_large_err)]
const fn walk(roots: &[FixtureRef]) -> Result<Walked, Cycle> {
    let mut done = Walked { order: [FALLBACK; MAX_FIXTURES], len: 0 };
    // The current path from a root: (fixture, index of the next dependency to visit).
    let mut path: [Option<(FixtureRef, usize)>; MAX_FIXTURES] = [None; MAX_FIXTURES];
    let mut r = 0;
    while r < roots.len() {
        if !contains(&done, roots[r]) {
            path[0] = Some((roots[r], 0));
            let mut depth = 1;
            while depth > 0 {
                let Some((top, next)) = path[depth - 1] else { panic!("fixture plan: empty path slot") };
                let deps = top.get().deps;
                if next < deps.len() {
                    path[depth - 1] = Some((top, next + 1));
                    let dep = deps[next];
                    if contains(&done, dep) {
                        continue;
                    }
                    if let Some(start) = position_on_path(&path, depth, dep) {
                        return Err(Cycle { path, start, depth, walked: done });
                    }
                    if depth == MAX_FIXTURES {
                        panic!("a test's plan holds more than 64 fixtures (testrig::plan::MAX_FIXTURES)");
                    }
                    path[depth] = Some((dep, 0));
                    depth += 1;
                } else {
                    if done.len == MAX_FIXTURES {
                        panic!("a test's plan holds more than 64 fixtures (testrig::plan::MAX_FIXTURES)");
                    }
                    done.order[done.len] = top;
                    done.len += 1;
                    depth -= 1;
                }
            }
        }
        r += 1;
    }
    Ok(done)
}

const fn contains(done: &Walked, fixture: FixtureRef) -> bool {
    let mut i = 0;
    while i < done.len {
        if same(done.order[i], fixture) {
            return true;
        }
        i += 1;
    }
    false
}

const fn position_on_path(
    path: &[Option<(FixtureRef, usize)>; MAX_FIXTURES],
    depth: usize,
    fixture: FixtureRef,
) -> Option<usize> {
    let mut i = 0;
    while i < depth {
        if let Some((on_path, _)) = path[i] {
            if same(on_path, fixture) {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

const fn same(a: FixtureRef, b: FixtureRef) -> bool {
    str_eq_from_end(a.get().id, b.get().id)
}

/// Ids share their module path: compared from the end, unequal ones differ at once.
const fn str_eq_from_end(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = a.len();
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return false;
        }
    }
    true
}

const MESSAGE_CAPACITY: usize = 1024;

/// A fixed-capacity string buffer, because const evaluation cannot allocate.
struct Message {
    bytes: [u8; MESSAGE_CAPACITY],
    len: usize,
    truncated: bool,
}

impl Message {
    const fn joined(parts: &[&str]) -> Message {
        let mut message = Message { bytes: [0; MESSAGE_CAPACITY], len: 0, truncated: false };
        message.push_all(parts);
        message
    }

    const fn push_all(&mut self, parts: &[&str]) {
        let mut i = 0;
        while i < parts.len() {
            self.push(parts[i]);
            i += 1;
        }
    }

    const fn push(&mut self, text: &str) {
        if self.truncated {
            return;
        }
        let text = text.as_bytes();
        let mut i = 0;
        // Keep room for the "..." that marks a truncated message.
        while i < text.len() && self.len < MESSAGE_CAPACITY - 3 {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        if i < text.len() {
            // Cut at a char boundary so the buffer stays valid UTF-8.
            while i > 0 && (text[i] & 0xC0) == 0x80 {
                i -= 1;
                self.len -= 1;
            }
            self.bytes[self.len] = b'.';
            self.bytes[self.len + 1] = b'.';
            self.bytes[self.len + 2] = b'.';
            self.len += 3;
            self.truncated = true;
        }
    }

    const fn as_str(&self) -> &str {
        let (bytes, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => "fixture dependency cycle (names not valid UTF-8)",
        }
    }
}
