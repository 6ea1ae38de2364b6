//! `Conf<T>`: an application's configuration, with per-test overrides that no other test
//! sees.
//!
//! The base value is process-wide, as in production. Overrides are layers kept in the
//! current test's [`Scope`]: `get()` inside a test returns the base with that test's layers
//! applied in order, computed once and cached until a layer or the base changes.

use std::any::Any;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::core::scope::Scope;

/// An application's configuration, declared once as a static and read anywhere.
///
/// ```
/// use testrig::Conf;
///
/// #[derive(Clone, Default)]
/// pub struct AppConfig {
///     pub compute: Compute,
///     pub name: String,
/// }
///
/// #[derive(Clone, Default)]
/// pub struct Compute {
///     pub rpc_response_timeout: u64,
/// }
///
/// pub static CONF: Conf<AppConfig> = Conf::new();
///
/// #[testrig::test]
/// #[conf(compute.rpc_response_timeout = 10, name = "test-cloud")]
/// fn sees_its_overrides() {
///     assert_eq!(CONF.get().compute.rpc_response_timeout, 10);
///     {
///         let _guard = CONF.override_with(|c| c.compute.rpc_response_timeout = 60);
///         assert_eq!(CONF.get().compute.rpc_response_timeout, 60);
///     }
///     assert_eq!(CONF.get().compute.rpc_response_timeout, 10);
///     assert_eq!(CONF.get().name, "test-cloud");
/// }
/// # sees_its_overrides();
/// // Outside the test, the base value is untouched.
/// assert_eq!(CONF.get().compute.rpc_response_timeout, 0);
/// ```
pub struct Conf<T> {
    base: RwLock<Option<Arc<T>>>,
    load: fn() -> T,
    /// Bumped on every `set`, so cached views built on an older base are rebuilt.
    generation: AtomicU64,
    /// How many scopes hold layers on this conf: when zero, `get` skips the scope lookup.
    overridden: AtomicUsize,
    /// The tests of this binary whose `#[conf]` names this conf, found once (see [`Conf::get`]).
    overridden_by: std::sync::OnceLock<Vec<&'static str>>,
}

impl<T: Clone + Default + Send + Sync + 'static> Conf<T> {
    /// A configuration whose base value is `T::default()` until [`Conf::set`].
    pub const fn new() -> Self {
        Self::with_loader(T::default)
    }
}

impl<T: Clone + Default + Send + Sync + 'static> Default for Conf<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + Sync + 'static> Conf<T> {
    /// A configuration whose base value is loaded by `load` on first use (from a file, the
    /// environment, ..) until [`Conf::set`].
    pub const fn with_loader(load: fn() -> T) -> Self {
        Conf {
            base: RwLock::new(None),
            load,
            generation: AtomicU64::new(0),
            overridden: AtomicUsize::new(0),
            overridden_by: std::sync::OnceLock::new(),
        }
    }

    /// The configuration as the current code should see it: inside a fixture test (its
    /// thread, its runtime's tasks, its `testrig::spawn` tasks and `testrig::thread::spawn`
    /// threads), the base value with that test's overrides on top; elsewhere, the base value.
    ///
    /// # Panics
    /// On a thread outside every test's scope that has no name (started with
    /// `std::thread::spawn`) when a `#[conf]` of a test in this binary names this conf: such
    /// a thread cannot know which test's values it should see, and silently returning the
    /// base would hide the bug. The rule depends only on which tests the binary has, never on
    /// what runs at the same moment, so a test either always or never meets it. Named threads
    /// (the harness's, a runtime's workers, `std::thread::Builder::new().name(..)`) read the
    /// base value.
    pub fn get(&self) -> Arc<T> {
        if self.overridden.load(Ordering::Acquire) != 0 {
            let layered = Scope::with_current(|scope| {
                let layers = scope?.get_extension::<ConfLayers>()?;
                layers.view::<T>(self)
            });
            if let Some(view) = layered {
                return view;
            }
        }
        self.check_not_escaped();
        self.base()
    }

    /// Replaces the base value for the whole process (what production code does at start).
    ///
    /// # Panics
    /// Inside a fixture test, where it would change every other test's configuration: use
    /// `#[conf(..)]` or [`Conf::override_with`] there.
    pub fn set(&self, value: T) {
        if let Some(test) = Scope::with_current(|scope| scope.map(Scope::test_name)) {
            panic!(
                "`Conf::set` inside fixture test `{test}` would change every test's configuration; \
                 use `#[conf(field = value)]` on the test or `CONF.override_with(|c| ..)` instead"
            );
        }
        *self.base.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(value));
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Overrides fields for the current test until the guard drops.
    ///
    /// Guards stack: each one applies on top of the ones before it, and dropping one removes
    /// only its own change, in any order. The override is visible to the whole test (its
    /// runtime's tasks, its `testrig::thread::spawn` threads) and to no other test.
    ///
    /// # Panics
    /// Outside a fixture test, where there is no test to scope the override to.
    pub fn override_with(&'static self, change: impl Fn(&mut T) + Send + Sync + 'static) -> ConfGuard {
        let Some(scope) = Scope::current() else {
            panic!(
                "`Conf::override_with` needs a fixture test to scope the override to: \
                 run it inside `#[testrig::test]`, or call `Conf::set` outside tests"
            );
        };
        let id = add_layer(&scope, self, Arc::new(change));
        ConfGuard { scope, conf: self, id }
    }

    fn base(&self) -> Arc<T> {
        if let Some(base) = self.base.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
            return Arc::clone(base);
        }
        let mut base = self.base.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(base.get_or_insert_with(|| Arc::new((self.load)())))
    }

    fn check_not_escaped(&self) {
        let overriders = self.overridden_by.get_or_init(|| {
            let this = self as *const Self as *const ();
            inventory::iter::<OverriddenConf>().filter(|entry| entry.conf == this).map(|entry| entry.test).collect()
        });
        let Some(first) = overriders.first() else { return };
        // Harness test threads and `main` are named; a plain `#[test]` reads the base value.
        // An unnamed thread was started by test code with `std::thread::spawn`.
        if std::thread::current().name().is_some() || Scope::with_current(|scope| scope.is_some()) {
            return;
        }
        let others = match overriders.len() {
            1 => String::new(),
            n => format!(" and {} other test(s)", n - 1),
        };
        panic!(
            "configuration read from a thread outside any fixture test scope: test `{first}`{others} of this \
             binary override it (`#[conf]`), so an unnamed thread cannot know which test's values to see; start \
             the thread with `testrig::thread::spawn` (or the task with `testrig::spawn`) so it sees its test's \
             values, or give it a name (`std::thread::Builder::new().name(..)`) to read the base value"
        );
    }
}

/// A `#[conf]` of a test in this binary, registered at compile time: which confs an unnamed
/// thread outside every test cannot read (see [`Conf::get`]).
#[doc(hidden)]
pub struct OverriddenConf {
    conf: *const (),
    test: &'static str,
}

// SAFETY: `conf` is only compared as an address, never read through.
unsafe impl Sync for OverriddenConf {}

impl OverriddenConf {
    /// `test`'s `#[conf]` names `conf`. Unbounded: `require_conf` says when `conf` is no
    /// `Conf`, once.
    pub const fn new<C>(conf: &'static C, test: &'static str) -> Self {
        OverriddenConf { conf: conf as *const C as *const (), test }
    }
}

inventory::collect!(OverriddenConf);

/// Removes its override when dropped. See [`Conf::override_with`].
#[must_use = "the override is removed as soon as the guard drops"]
pub struct ConfGuard {
    scope: Arc<Scope>,
    conf: &'static dyn AnyConf,
    id: u64,
}

impl std::fmt::Debug for ConfGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfGuard").field("test", &self.scope.test_name()).field("id", &self.id).finish()
    }
}

impl Drop for ConfGuard {
    fn drop(&mut self) {
        if let Some(layers) = self.scope.get_extension::<ConfLayers>() {
            layers.remove(self.conf, self.id);
        }
    }
}

/// Checks that `#[conf(in = ..)]` names a `Conf`, before the layer's closure needs its type.
#[doc(hidden)]
pub fn require_conf<C: ConfTarget>(_: &'static C) {}

/// What `#[conf(in = ..)]` may name: a `Conf<T>`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `testrig::Conf`",
    label = "`#[conf]` overrides a `static CONF: testrig::Conf<T>`",
    note = "name one with `#[conf(in = path::to::CONF, ..)]`, or declare `pub static CONF: testrig::Conf<AppConfig> = testrig::Conf::new();`"
)]
pub trait ConfTarget: Sync + 'static {
    type Value: Clone + Send + Sync + 'static;
    fn layer(&'static self, change: Change<Self::Value>);
}

impl<T: Clone + Send + Sync + 'static> ConfTarget for Conf<T> {
    type Value = T;
    fn layer(&'static self, change: Change<T>) {
        let Some(scope) = Scope::current() else { unreachable!("#[conf] runs inside the test's scope") };
        add_layer(&scope, self, change);
    }
}

/// Applies `change` to `conf` for the rest of the current test: what `#[conf(..)]` emits.
#[doc(hidden)]
pub fn conf_layer<C: ConfTarget>(conf: &'static C, change: impl Fn(&mut C::Value) + Send + Sync + 'static) {
    conf.layer(Arc::new(change));
}

/// Lets `#[conf(name = "text")]` assign a `&str` to a `String` field; every other value is
/// assigned as is, so the field's type drives literal inference.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this `#[conf]` value is a `{Self}`, but the field is a `{T}`",
    label = "expected a value of type `{T}`"
)]
pub trait ConfValue<T> {
    fn into_field(self) -> T;
}

impl<T> ConfValue<T> for T {
    fn into_field(self) -> T {
        self
    }
}

impl ConfValue<String> for &str {
    fn into_field(self) -> String {
        self.to_owned()
    }
}

#[doc(hidden)]
pub fn assign<T, V: ConfValue<T>>(field: &mut T, value: V) {
    *field = value.into_field();
}

#[doc(hidden)]
pub type Change<T> = Arc<dyn Fn(&mut T) + Send + Sync>;

fn add_layer<T: Clone + Send + Sync + 'static>(scope: &Arc<Scope>, conf: &'static Conf<T>, change: Change<T>) -> u64 {
    static NEXT_LAYER: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_LAYER.fetch_add(1, Ordering::Relaxed);
    let layers = scope.extension(ConfLayers::default);
    let mut entries = layers.entries.lock().unwrap_or_else(PoisonError::into_inner);
    let conf_id = conf_id(conf);
    match entries.iter_mut().find(|entry| entry.conf_id == conf_id) {
        Some(entry) => {
            entry.layers.push((id, Box::new(change)));
            entry.view = None;
        }
        None => {
            conf.overridden.fetch_add(1, Ordering::AcqRel);
            entries.push(ConfEntry { conf_id, conf, layers: vec![(id, Box::new(change))], view: None });
        }
    }
    id
}

fn conf_id<T>(conf: &Conf<T>) -> usize {
    conf as *const Conf<T> as usize
}

/// The type-erased side of a `Conf<T>` that a scope needs when it lets go of its layers.
trait AnyConf: Send + Sync {
    fn id(&self) -> usize;
    fn release(&self);
}

impl<T: Send + Sync> AnyConf for Conf<T> {
    fn id(&self) -> usize {
        conf_id(self)
    }

    fn release(&self) {
        self.overridden.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One test's override layers, for every `Conf` it overrides. Lives in the test's scope and
/// releases its confs when the scope closes.
#[derive(Default)]
struct ConfLayers {
    entries: Mutex<Vec<ConfEntry>>,
}

struct ConfEntry {
    conf_id: usize,
    conf: &'static dyn AnyConf,
    /// `(layer id, Change<T>)`, applied in order.
    layers: Vec<(u64, Box<dyn Any + Send + Sync>)>,
    /// The base with every layer applied, and the base generation it was built from.
    view: Option<(u64, Arc<dyn Any + Send + Sync>)>,
}

impl ConfLayers {
    fn view<T: Clone + Send + Sync + 'static>(&self, conf: &Conf<T>) -> Option<Arc<T>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.iter_mut().find(|entry| entry.conf_id == conf_id(conf))?;
        let generation = conf.generation.load(Ordering::Acquire);
        if let Some((built_from, view)) = &entry.view {
            if *built_from == generation {
                return Arc::clone(view).downcast::<T>().ok();
            }
        }
        let mut value = T::clone(&conf.base());
        for (_, change) in &entry.layers {
            if let Some(change) = change.downcast_ref::<Change<T>>() {
                change(&mut value);
            }
        }
        let view = Arc::new(value);
        entry.view = Some((generation, view.clone()));
        Some(view)
    }

    fn remove(&self, conf: &'static dyn AnyConf, layer: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(position) = entries.iter().position(|entry| entry.conf_id == conf.id()) {
            let entry = &mut entries[position];
            entry.layers.retain(|(id, _)| *id != layer);
            entry.view = None;
            if entry.layers.is_empty() {
                let entry = entries.remove(position);
                entry.conf.release();
            }
        }
    }
}

impl Drop for ConfLayers {
    fn drop(&mut self) {
        for entry in self.entries.get_mut().unwrap_or_else(PoisonError::into_inner).drain(..) {
            entry.conf.release();
        }
    }
}
