//! Attribute grammars, one file each (the older ones still live in `attr.rs`).

pub mod database;
pub mod files;
pub mod item;
