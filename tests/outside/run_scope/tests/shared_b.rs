//! Includes tests/common as its own module, as shared_a.rs does; its tests and its own run
//! fixture are the module's macro's, expanded here.

mod common;

common::a_binary_sharing_common!();
