//! Every fixture of the binary, registered by `#[fixture]` through `inventory`: for listing
//! them (like `pytest --fixtures`) and for autouse fixtures, which apply to the fixture tests
//! of the module that defines them and of its submodules (like a pytest `conftest.py`).

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::core::fixture::{FixtureMeta, FixtureRef, RegisteredFixture};

/// A fixture of this binary, as [`list`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FixtureInfo {
    /// The type's name, as reports and `TESTRIG_SHOW` print it.
    pub name: &'static str,
    /// The module that defines it.
    pub module: &'static str,
    /// `file:line` of its definition.
    pub location: String,
    /// The fixtures its setup requires, by name.
    pub requires: Vec<&'static str>,
    /// Whether it applies on its own to the fixture tests of `module` and below.
    pub autouse: bool,
    /// Whether it is set up once per process (`scope = once`) rather than per test.
    pub once: bool,
}

/// Every fixture linked into this binary — the crate's, its dependencies', and the built-in
/// ones — sorted by module and name.
///
/// ```
/// use testrig::prelude::*;
///
/// pub struct Clock;
///
/// #[fixture]
/// impl Clock {
///     fn setup() -> Self {
///         Clock
///     }
/// }
///
/// let clock = testrig::registry::list().into_iter().find(|f| f.name == "Clock").unwrap();
/// assert!(clock.requires.is_empty() && !clock.autouse);
/// assert!(testrig::registry::text().contains("Clock"));
/// assert!(testrig::registry::dot().starts_with("digraph fixtures {"));
/// ```
pub fn list() -> Vec<FixtureInfo> {
    let fixtures: Vec<FixtureInfo> = inventory::iter::<RegisteredFixture>
        .into_iter()
        .map(|registered| FixtureInfo {
            name: registered.fixture.name,
            module: registered.module,
            location: format!("{}:{}", registered.file, registered.line),
            requires: registered.fixture.deps.iter().map(|dep| dep.get().name).collect(),
            autouse: registered.autouse,
            once: registered.fixture.once.is_some(),
        })
        .collect();
    // Ordered by insertion, not `sort_by`: a sort is kilobytes of code every test binary links.
    let mut sorted: Vec<FixtureInfo> = Vec::with_capacity(fixtures.len());
    for fixture in fixtures {
        let key = (fixture.module, fixture.name);
        let at = sorted.partition_point(|placed| (placed.module, placed.name) <= key);
        sorted.insert(at, fixture);
    }
    sorted
}

/// The fixtures as text, one block each: name, module and place, what it requires.
pub fn text() -> String {
    let mut text = String::new();
    for fixture in list() {
        let autouse = if fixture.autouse { " [autouse]" } else { "" };
        let once = if fixture.once { " [once]" } else { "" };
        let _ = writeln!(text, "{}{autouse}{once} -- {} ({})", fixture.name, fixture.module, fixture.location);
        if !fixture.requires.is_empty() {
            let _ = writeln!(text, "    requires: {}", crate::leaf::report::Joined(&fixture.requires, ", "));
        }
    }
    text
}

/// The dependency graph in Graphviz dot: an edge from each fixture to what it requires.
pub fn dot() -> String {
    let mut dot = String::from("digraph fixtures {\n    rankdir=LR;\n");
    for fixture in list() {
        let style = if fixture.autouse { ", style=bold" } else { "" };
        let _ = writeln!(dot, "    \"{}\" [tooltip=\"{}\"{style}];", fixture.name, fixture.module);
        for required in &fixture.requires {
            let _ = writeln!(dot, "    \"{}\" -> \"{required}\";", fixture.name);
        }
    }
    dot.push_str("}\n");
    dot
}

/// The autouse fixtures that apply to the test `test_name` (`module::path::name`), with what
/// they require, in setup order.
pub(crate) fn autouse_for(test_name: &str) -> Vec<FixtureRef> {
    static AUTOUSE: OnceLock<Vec<(&'static str, &'static FixtureMeta)>> = OnceLock::new();
    let autouse = AUTOUSE.get_or_init(|| {
        inventory::iter::<RegisteredFixture>
            .into_iter()
            .filter(|registered| registered.autouse)
            // Crate-wide: the crate is the module path's first segment (a library the tests
            // link registers under its own name, and applies to none of them).
            .map(|registered| match registered.crate_wide {
                true => (registered.module.split("::").next().unwrap_or(registered.module), registered.fixture),
                false => (registered.module, registered.fixture),
            })
            .collect()
    });
    let applying: Vec<FixtureRef> = autouse
        .iter()
        .filter(|(module, _)| test_name.strip_prefix(module).is_some_and(|rest| rest.starts_with("::")))
        .map(|(_, fixture)| FixtureRef::new(fixture))
        .collect();
    if applying.is_empty() {
        return Vec::new();
    }
    // The planner's own walk, at run time: the autouse fixtures are known only then.
    crate::core::plan::walked(&applying).order().to_vec()
}

/// The test's own plan behind the autouse fixtures that apply to it, without repeats.
pub(crate) fn with_autouse(autouse: Vec<FixtureRef>, plan: &[FixtureRef]) -> Vec<FixtureRef> {
    let mut merged = autouse;
    for fixture in plan {
        if !merged.iter().any(|seen| std::ptr::eq(seen.get(), fixture.get())) {
            merged.push(*fixture);
        }
    }
    merged
}
