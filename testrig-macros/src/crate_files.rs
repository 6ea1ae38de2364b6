//! What the macros read of the test crate's own files, all here: whether a directory exists
//! (`#[database(migrations = "..")]`, the default `migrations/`) and which files a
//! `#[files(..)]` glob matches, both relative to the crate root that cargo names
//! (`CARGO_MANIFEST_DIR`). Seed files are read by rustc (`include_str!`), so a missing one is
//! a compile error at its name, not a read here.

use std::path::PathBuf;

/// The crate root the paths are relative to, as cargo gives it to the macro.
pub fn root() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

/// Whether `relative` is a directory of the crate; `None` outside cargo.
pub fn has_dir(relative: &str) -> Option<bool> {
    root().map(|root| root.join(relative).is_dir())
}

/// Why a glob found nothing usable.
pub enum GlobError {
    /// Not a glob: the pattern library's reason.
    Pattern(&'static str),
    /// A directory that cannot be read, with the reason.
    Unreadable(String),
    /// A matching path that is not UTF-8, as far as it can be shown.
    NotUtf8(String),
}

/// What a `#[files]` glob matches besides files of names without a leading dot (rstest's
/// `#[include_dot_files]` and `#[dirs]`).
#[derive(Clone, Copy, Default)]
pub struct Matching {
    pub dot_files: bool,
    pub dirs: bool,
}

/// The files (not directories, unless `matching.dirs`) `pattern` matches under the crate
/// `root`, as paths relative to it with `/` separators, in the order the glob walks them. As a
/// shell does, `*` does not match a leading dot (`.gitkeep`) unless `matching.dot_files`; the
/// root's own path is no pattern (`[`, `*` in it match literally).
pub fn matching(root: &std::path::Path, pattern: &str, matching: Matching) -> Result<Vec<String>, GlobError> {
    let base = glob::Pattern::escape(&root.to_string_lossy());
    let options = glob::MatchOptions { require_literal_leading_dot: !matching.dot_files, ..glob::MatchOptions::new() };
    let matches =
        glob::glob_with(&format!("{base}/{pattern}"), options).map_err(|error| GlobError::Pattern(error.msg))?;
    let mut found = Vec::new();
    for entry in matches {
        let path = entry.map_err(|error| GlobError::Unreadable(error.to_string()))?;
        let wanted = path.is_file() || (matching.dirs && path.is_dir());
        if !wanted {
            continue;
        }
        let Ok(rest) = path.strip_prefix(root) else { continue };
        let Some(rest) = rest.to_str() else { return Err(GlobError::NotUtf8(rest.to_string_lossy().into_owned())) };
        found.push(rest.replace('\\', "/"));
    }
    Ok(found)
}
