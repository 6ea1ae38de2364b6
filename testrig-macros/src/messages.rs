//! Every error text the macros produce, in one place so tests and docs can refer to them.
//!
//! Rules: lowercase, quote the syntax in backticks, say what to write instead.

pub const FIXTURE_ON_WRONG_ITEM: &str =
    "`#[fixture]` goes on an `impl Type { fn setup(..) -> Self { .. } }` block or on a `fn` returning the fixture value";
pub const DUPLICATE_FIXTURE_ATTR: &str =
    "duplicate `#[fixture]`: a type is one fixture; give all its options in one `#[fixture(..)]`";
pub const CRATE_PATH: &str = "`crate` takes the path testrig is found at: write `crate = ::testrig`";
pub const FIXTURE_ON_TRAIT_IMPL: &str =
    "`#[fixture]` goes on an inherent impl block: write `impl Type { fn setup(..) -> Self { .. } }` without a trait";
pub const FIXTURE_GENERIC: &str =
    "generic fixtures are not supported: one fixture is one concrete type; write a concrete type or a newtype per use";
pub const FIXTURE_NO_SETUP: &str =
    "this `#[fixture]` impl has no `setup`: add `fn setup(dep: &Dep, ..) -> Self` (or `async fn`, or returning `Result<Self, E>`)";
pub const SETUP_RECEIVER: &str =
    "`setup` builds the fixture, so it takes no `self`: write `fn setup(dep: &Dep, ..) -> Self`";
pub const SETUP_NO_RETURN: &str = "`setup` must return the fixture: add `-> Self` or `-> Result<Self, E>`";
pub const SETUP_GENERIC: &str = "`setup` cannot be generic: its parameters are fixtures, named by concrete types";
pub const SELF_DEPENDENCY: &str =
    "a fixture cannot depend on itself: remove this parameter, or depend on another fixture type";
pub const OPTIONS_TWICE: &str = "only one `#[options]` parameter is allowed: put all settings in one options type";
pub const OPTIONS_IN_TEST: &str =
    "`#[options]` marks a fixture's options in its `setup`; in a test, give a fixture its options with `#[with(Type = value)]`";
pub const TEARDOWN_RECEIVER: &str =
    "`teardown` consumes the fixture: write `fn teardown(self)` (or `async fn teardown(self) -> Result<(), E>`)";
pub const TEARDOWN_PARAMS: &str =
    "`teardown` takes only `self`: fixtures it needs are still set up, so keep handles to them in the fixture";
pub const TEARDOWN_GENERIC: &str = "`teardown` cannot be generic: write `fn teardown(self)`";

pub const TEST_ON_WRONG_ITEM: &str = "`#[testrig::test]` goes on a test function: `fn name(fixture: &Type) { .. }`";
pub const TEST_GENERIC: &str = "a test without cases cannot be generic: name concrete types in its parameters, or give it `#[case(..)]` rows, each of which instantiates it";
pub const TEST_RECEIVER: &str = "a test is a free function: remove `self`";
pub const TEST_CONST: &str = "a test cannot be a `const fn`: remove `const`";
pub const TEST_UNSAFE: &str =
    "a test cannot be an `unsafe fn`: remove `unsafe` and use an `unsafe` block inside the test";
pub const TEST_ABI: &str = "a test cannot have an `extern` ABI: remove it";
pub const TEST_VARIADIC: &str = "a test cannot be variadic: remove `...`";
pub const DUPLICATE_TEST_ATTR: &str =
    "duplicate `#[testrig::test]`: keep one; put all options in it, e.g. `#[testrig::test(flavor = \"multi_thread\")]`";
pub const PLAIN_TEST_ATTR: &str =
    "remove `#[test]`: `#[testrig::test]` (or any fixture attribute) already makes this function a test";
pub const TOKIO_TEST_ON_SYNC: &str =
    "`#[tokio::test]` runs an `async fn`: make the test `async`, or remove it (a sync fixture test needs no runtime)";
pub const FLAVOR_ON_SYNC: &str =
    "`flavor` chooses the runtime of an `async fn` test; this test is sync: make it `async fn` or remove `flavor`";
pub const WORKERS_ON_SYNC: &str =
    "`worker_threads` sizes the runtime of an `async fn` test; this test is sync: make it `async fn` or remove `worker_threads`";
pub const WORKERS_NEED_MULTI_THREAD: &str =
    "`worker_threads` needs the multi-thread runtime: add `flavor = \"multi_thread\"`";
pub const BAD_FLAVOR: &str = "unknown flavor: write `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`";
pub const BAD_WORKERS: &str = "`worker_threads` is a number of threads, at least 1: write `worker_threads = 2`";
pub const EMPTY_WITH: &str = "`#[with]` lists fixtures to add: write `#[with(Type)]` or `#[with(Type = config)]`";

pub const EMPTY_CONF: &str =
    "`#[conf]` lists overrides: write `#[conf(section.field = value, ..)]`, optionally with `in = path::to::CONF`";
pub const NAME_VALUE_ATTRIBUTE: &str = "write the options in parentheses: `#[name(..)]`";
pub const CONF_SYNTAX: &str = "expected `field.path = value` or `in = path::to::CONF`";
pub const EMPTY_ENV: &str = "`#[env]` lists variables: write `#[env(KEY = \"value\", OTHER = unset)]`";
pub const BAD_ENV_VALUE: &str =
    "environment values are strings: write `KEY = \"value\"` (quoted, without NUL), or `KEY = unset` to remove the variable";
pub const BAD_ENV_KEY: &str =
    "environment variable names are non-empty and contain no `=` or NUL: write `KEY = \"value\"`";

pub fn conf_field_without_value(key: &str) -> String {
    format!("`{key}` needs a value: write `{key} = value`")
}

pub fn duplicate_conf_key(key: &str) -> String {
    format!("`{key}` is set twice in this `#[conf]`: give it once (a later `#[conf]` may override it on purpose)")
}

pub const EMPTY_CELLS: &str =
    "name the cells this test needs: write `#[with_cells(cell1, cell2)]` (the API database and cell0 come with them)";
pub const BAD_CELL_NAME: &str = "cell names are identifiers: write `#[with_cells(cell1, cell2)]`";
pub const DUPLICATE_WITH_CELLS: &str =
    "duplicate `#[with_cells]`: list all the cells in one, e.g. `#[with_cells(cell1, cell2)]`";
pub const DUPLICATE_POISON: &str = "duplicate `#[poison_db]`: give it once";
pub const POISON_WITH_DATABASE: &str =
    "`#[poison_db]` says this test does not use the database, but `#[database]` gives it one: remove one of them";
pub const POISON_WITH_CELLS: &str =
    "`#[poison_db]` says this test does not use the database, but `#[with_cells]` claims it: remove one of them";
pub const POISON_OPTIONS: &str = "`#[poison_db]` takes no options: write `#[poison_db]`";
pub const DUPLICATE_CAPTURE_LOGS: &str = "duplicate `#[capture_logs]`: give it once";
pub const CAPTURE_LOGS_OPTIONS: &str =
    "`#[capture_logs]` takes no options: write `#[capture_logs]` (set `TESTRIG_DEBUG=1` to stream the logs live)";
pub fn flag_with_value(flag: &str) -> String {
    format!("`{flag}` is a flag: write `#[testrig::test({flag})]`")
}
pub const AUTOUSE_FLAG: &str = "write `#[fixture(autouse)]` for the fixture tests of this module and its submodules, or `#[fixture(autouse = crate)]` for every fixture test of the crate (as from `tests/common/mod.rs`)";
pub const CASE_PARAMETER_WITHOUT_VALUES: &str = "this parameter is taken by value, so it needs values: give the test `#[case(..)]` rows or put `#[values(..)]` on it; fixtures are received by reference, `name: &Type` (or by value, when marked `#[fixture(by_value)]`)";
pub const BY_VALUE_FLAG: &str = "write `#[fixture(by_value)]` to let tests take the fixture by value (its teardown is then skipped), or `#[fixture(by_value = clone)]` to hand them a clone (the test's instance stays for its other users)";
pub const UNKNOWN_SCOPE: &str = "a fixture's scope is `test` (the default), `once` (set up once per process, shared by its tests) or `run` (once per run, shared by every process of a `cargo nextest run`): write `#[fixture(scope = once)]` or `#[fixture(scope = run)]`";
pub const ONCE_WITH_OPTIONS: &str = "a `scope = once` fixture cannot take `#[options]`: it is set up once for every test of the process, so no one test gives it options";
pub const RUN_WITH_OPTIONS: &str = "a `scope = run` fixture cannot take `#[options]`: it is set up once for every test of the run, so no one test gives it options";
pub const RUN_ON_FUNCTION: &str = "`scope = run` is written on a fixture type: `#[fixture(scope = run)] impl T { fn setup() -> T { .. } }`, `T` being data (`Serialize + Deserialize`); a fixture function's value is per test, or per process with `scope = once`";
pub const AUTOUSE_WITH_OPTIONS: &str = "an autouse fixture cannot take `#[options]`: no test names it to give it options. Remove `autouse` and list it with `#[with(Fixture = options)]`, or drop the `#[options]` parameter";
pub const SERVICE_NOT_PATH: &str =
    "`#[service]` takes the paths of async start functions: write `#[service(start_api, crate::scheduler::start)]`";
pub const EMPTY_SERVICE: &str =
    "name the start functions of the services: write `#[service(start_api)]`, where `async fn start_api(service: ServiceContext) -> Result<(), E>`";

pub fn duplicate_service(name: &str) -> String {
    format!("service `{name}` is listed twice: start each service once (tests look services up by this name)")
}

pub const DUPLICATE_TIMEOUT: &str = "duplicate `#[timeout]`: give one limit for the test";
pub const TIMEOUT_VALUE: &str = "`#[timeout]` takes a number of seconds or a `Duration`: write `#[timeout(10)]`, `#[timeout(0.5)]` or `#[timeout(Duration::from_millis(500))]`";
pub const TIMEOUT_POSITIVE: &str =
    "a timeout must be at least one millisecond: write a positive number of seconds, e.g. `#[timeout(10)]`";

pub fn reserved_cell_name(name: &str) -> String {
    format!("`{name}` is always created: list only the named cells, e.g. `#[with_cells(cell1, cell2)]`")
}

pub fn duplicate_cell(name: &str) -> String {
    format!("cell `{name}` is listed twice: name each cell once")
}

pub fn duplicate_env_key(key: &str) -> String {
    format!("environment variable `{key}` is set twice on this test: give it once")
}

pub fn unknown_option(attribute: &str, found: &str, valid: &[&str]) -> String {
    let valid = valid.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
    format!("unknown option `{found}` in `#[{attribute}]`: valid options are {valid}")
}

pub const MIGRATOR_VALUE: &str = "write `migrator = \"path::to::MIGRATOR\"`: the path of a `sqlx::migrate::Migrator` static, in a string (as `#[sqlx::test]` takes it)";
pub const DATABASE_SCRIPTS_WITHOUT_PATH: &str =
    "`scripts(..)` names files of the directory `path = \"..\"` written before it: `fixtures(path = \"../fixtures\", scripts(\"users\"))`";

pub fn database_option_on_test(key: &str) -> String {
    let option = match key {
        "fixtures" => "fixtures(\"a\", ..)",
        "migrator" => "migrator = \"MIGRATOR\"",
        _ => "migrations = \"dir\"",
    };
    format!(
        "`{key}` sets up the test's database, as in `#[sqlx::test({key} ..)]`, an option of `#[database]` here: \
         write `#[database({option})]` below `#[testrig::test]`, or `#[testrig::database({option})]` instead of \
         `#[testrig::test]`"
    )
}

pub fn duplicate_option(name: &str) -> String {
    format!("duplicate option `{name}`: give it once")
}

pub fn duplicate_fixture(name: &str) -> String {
    format!("fixture `{name}` is already listed: each fixture is set up once per test, name it once")
}

pub fn parameter_not_reference(what: &str) -> String {
    format!("{what} receive fixtures by shared reference: write `name: &Type`")
}

pub fn parameter_mut_reference(what: &str) -> String {
    format!("{what} receive fixtures by shared reference, since every dependent shares one instance: write `&Type`, and use interior mutability (`Mutex`, `Cell`) for state that changes")
}

pub const EMPTY_VALUES: &str = "`#[values]` needs at least one value: write `#[values(1, 2, 3)]`";

pub fn case_arity(given: usize, names: &[String]) -> String {
    format!(
        "this case gives {given} value(s), but the test has {} case parameter(s){}: give one value per parameter, in order",
        names.len(),
        if names.is_empty() { String::new() } else { format!(" (`{}`)", names.join("`, `")) }
    )
}

/// An attribute or an `async fn` whose support is behind one of the facade's features.
pub fn needs_feature(what: &str, feature: &str) -> String {
    format!(
        "{what} needs testrig's `{feature}` feature: write `testrig = {{ version = \"0.1\", features = [\"{feature}\"] }}` under `[dev-dependencies]`"
    )
}

pub const DATABASE_MIGRATIONS_TRUE: &str =
    "`migrations = true` is the default: remove it, or write `migrations = \"path/to/migrations\"` or `migrations = false`";
pub const DATABASE_MIGRATIONS_VALUE: &str =
    "`migrations` takes a directory relative to the crate root, `migrations = \"db/migrations\"`, or `migrations = false` for an empty database";
pub const DATABASE_FIXTURE_ITEM: &str =
    "a seed is a name, `fixtures(\"users\")` for `fixtures/users.sql` next to the test file, a file, `fixtures(\"../seeds/users.sql\")`, or sqlx's `fixtures(path = \"../seeds\", scripts(\"users\"))`";
pub const DATABASE_FIXTURES_EMPTY: &str =
    "`fixtures()` names no seed: write `fixtures(\"users\")` for `fixtures/users.sql` next to the test file, or remove it";
pub const DUPLICATE_DATABASE: &str =
    "`#[database]` is already given for this test: one test has one database here; for several write `#[databases(primary, analytics(..))]`";
pub const DATABASE_WITH_CELLS: &str =
    "`#[database]` and `#[with_cells]` both give this test databases: keep one (`#[with_cells]` is Nova's layout of api, cell0 and cells)";

pub fn duplicate_seed(name: &str) -> String {
    format!("seed `{name}` is listed twice: each seed runs once, into the template")
}

pub fn missing_migrations(dir: &str) -> String {
    format!(
        "no migrations directory `{dir}` in this crate: write it relative to the crate root (the directory of its Cargo.toml), or `migrations = false` for an empty database"
    )
}

pub const DATABASES_ENTRY: &str =
    "name each database: `#[databases(primary, analytics(migrations = \"db/analytics\"))]`";
pub const DATABASES_EMPTY: &str =
    "`#[databases]` names no database: write `#[databases(primary, analytics(..))]`, or `#[database]` for one";
pub const DATABASE_AND_DATABASES: &str =
    "`#[database]` and `#[databases]` both give this test databases: list every one in `#[databases(main, ..)]`";

pub fn duplicate_database(name: &str) -> String {
    format!("database `{name}` is listed twice: give each database of the test its own name")
}
pub const DUPLICATE_DATABASES: &str =
    "`#[databases]` is already given for this test: list every database in one `#[databases(a, b(..))]`";

pub const TOO_MANY_CFG_PARAMS: &str = "at most four parameters of one test or fixture may be under `#[cfg(..)]` (each doubles its expansion): move the others into a fixture whose own `setup` is under `#[cfg]`";
pub const BAD_START_PAUSED: &str = "`start_paused` is `true` or `false`: write `#[testrig::test(start_paused = true)]`";
pub const START_PAUSED_ON_SYNC: &str = "`start_paused` pauses an async test's tokio clock, and this test is not `async`: make it `async fn` or remove the option";
pub const START_PAUSED_MULTI_THREAD: &str =
    "tokio pauses time only on the current-thread runtime: remove `flavor = \"multi_thread\"` or `start_paused`";
pub const FILES_SYNTAX: &str = "write `#[files(\"glob\", ..)]`: one or more glob patterns relative to the crate root, as `#[files(\"tests/data/*.json\")] path: PathBuf`";

pub fn files_bad_glob(pattern: &str, why: &str) -> String {
    format!("`{pattern}` is not a glob pattern: {why}")
}

pub fn files_absolute(pattern: &str) -> String {
    format!("`{pattern}` is absolute: `#[files]` patterns are relative to the crate root (the directory of its Cargo.toml), so the test finds the same files on every machine")
}

pub fn files_unreadable(pattern: &str, why: &str) -> String {
    format!("cannot list the files of `{pattern}`: {why}")
}

pub fn files_not_utf8(pattern: &str, path: &str) -> String {
    format!("`{pattern}` matches `{path}`, whose name is not UTF-8: rename it, or narrow the pattern")
}

pub fn files_no_match(pattern: &str) -> String {
    format!("no file matches `{pattern}` in this crate: `#[files]` patterns are relative to the crate root (the directory of its Cargo.toml)")
}
pub const CASES_SYNTAX: &str =
    "write `#[cases(table)]`, naming a table of rows written as `testrig::case_table! { table { #[case(..)] .. } }`";
pub const FROM_SYNTAX: &str =
    "write `#[from(path::to::fixture)]`: the fixture function whose value this parameter is (rstest's `#[from]`)";
pub const DEFAULT_SYNTAX: &str =
    "write `#[default(value)]`: one expression, the argument a fixture function gets when a test gives none";
pub const FUTURE_SYNTAX: &str =
    "write `#[future]` (the parameter is the fixture's future) or `#[future(awt)]` (its value, awaited)";
pub fn mark_twice(name: &str) -> String {
    format!("`#[{name}]` is written twice on this parameter: remove one")
}
pub const DEFAULT_ON_TEST: &str =
    "`#[default(..)]` belongs on a fixture function's parameter (its value when a test gives none); a test \
     parameter's value comes from `#[case]`, `#[values(..)]` or a fixture: remove it";
pub const CONTEXT_NOT_BY_VALUE: &str =
    "a `#[context]` parameter is the running test's context by value: write `ctx: Context` (`testrig::Context`)";
pub const CASE_MARK_WITHOUT_ROWS: &str =
    "`#[case]` marks a parameter whose values come from the `#[case(..)]` rows, and this test has none: add \
     rows above the function, `#[case(value)]`, one per case";
pub const MARK_ON_CASE_VALUE: &str =
    "this parameter is a case value (`#[case]`, `#[values]`, `#[files]`): it cannot also name a fixture function";
pub const FUTURE_ON_SYNC_TEST: &str =
    "`#[future]` / `#[awt]` hand the test an async fixture's future or its awaited value: make the test an `async fn`";
pub const MARK_IN_IMPL_FIXTURE: &str =
    "rstest's parameter attributes (`#[from]`, `#[with]`, `#[default]`, `#[future]`, ..) are for fixture \
     functions (`#[fixture] fn name(..) -> T`); a `setup` of an impl fixture takes its dependencies as `&T`";
pub const CASE_MARK_IN_FIXTURE: &str =
    "a fixture function's parameters are its dependencies (`&T`, or another fixture function by name) or \
     `#[default(value)]`: case values (`#[case]`, `#[values]`, `#[context]`) belong on a test's parameters";
pub const ONCE_GENERIC: &str =
    "a `#[once]` fixture function has one value for the whole process, so it cannot be generic: make it concrete";
pub const TEMPLATE_ON_WRONG_ITEM: &str =
    "`#[template]` goes on a function carrying the attributes to reuse: `#[template] #[testrig::test] #[case(..)] fn name(#[case] x: u32) {}`";
pub const TEMPLATE_WITH_ARGS: &str =
    "`#[template]` takes no arguments: the template is named by its function, `#[apply(name)]`";
pub const APPLY_SYNTAX: &str = "write `#[apply(template_name)]`: the name (or path) of a `#[template]` function";
pub fn files_option_not_yet(name: &str) -> String {
    format!(
        "rstest's `#[{name}]` (an option of `#[files]`) is not supported yet: list the files with `#[files(\"glob\", ..)]` \
         patterns relative to the crate root, or take them as `#[values(..)]`"
    )
}
pub const CASE_MARK_WITH_ARGS: &str =
    "rstest's `#[case(default)]` / `#[case(opt)]` on a parameter are not supported yet: write `#[case]` and give every \
     row its value";
pub const BACKEND_VALUE: &str = "`backend` names one backend: write `backend = sqlite` or `backend = postgres`";
pub const BACKENDS_VALUE: &str =
    "`backends(..)` lists the backends to run the test on: write `backends(sqlite, postgres)`";
pub const DATABASES_BACKEND: &str =
    "a test's `#[databases]` are on one backend (PostgreSQL with `TESTRIG_DATABASE_URL`, else SQLite): `backend` and \
     `backends(..)` are options of `#[database(..)]`; remove it here";
pub fn typed_pool_of_another_backend(pinned: &str, typed: &str) -> String {
    format!(
        "this test's database is on `{pinned}` (with `backends(..)`: on each backend listed), and this is `{typed}`'s \
         typed pool: take `&testrig::db::Database` or `&sqlx::AnyPool`"
    )
}
pub const BACKEND_AND_BACKENDS: &str =
    "`backends(..)` runs the test on each backend it lists, `backend = ..` on one: keep one of them";
pub fn unknown_backend(name: &str) -> String {
    format!("unknown backend `{name}`: testrig's are `sqlite` and `postgres`")
}
pub fn duplicate_backend(name: &str) -> String {
    format!("`{name}` is listed twice: each backend gives the test one case; remove one")
}
pub const MYSQL_NOT_YET: &str =
    "MySQL is not supported yet: testrig's database fixtures are SQLite (`SqlitePool`), PostgreSQL (`PgPool`) \
     and `AnyPool` over them; keep this test on `#[sqlx::test]` for now";
pub const FILES_BASE_DIR: &str =
    "write `#[base_dir = \"dir\"]`: the directory `#[files]`'s globs are relative to, itself relative to the crate root";
pub const FILES_BASE_DIR_ENV: &str =
    "rstest's environment variables in `#[base_dir]` (`$VAR`, `${VAR:-default}`) are not supported yet: write the directory relative to the crate root";
pub const FILES_MODE: &str =
    "write `#[mode = path]` (the file's path, the default), `#[mode = str]` (its text, `&str`) or `#[mode = bytes]` (`&[u8]`)";
