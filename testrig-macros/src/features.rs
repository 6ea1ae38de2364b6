//! The facade's features, as the macros see them: the facade switches on this crate's
//! features of the same names, so an attribute whose runtime support is compiled out is a
//! spanned error naming the feature instead of a path rustc cannot resolve.

/// Whether the facade feature `name` is on.
pub fn enabled(name: &str) -> bool {
    match name {
        "async" => cfg!(feature = "async"),
        "logs" => cfg!(feature = "logs"),
        "db" => cfg!(feature = "db"),
        _ => false,
    }
}
