//! A fixture's metadata and trait, the compile-time plan, the stack a test's fixtures live
//! in, the scope of a running test, and the run itself. Names the leaf layer, not features.

pub(crate) mod fixture;
pub mod plan;
pub mod registry;
pub(crate) mod run;
pub(crate) mod scope;
pub(crate) mod stack;
pub(crate) mod test;
