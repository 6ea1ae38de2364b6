//! Directories the processes of one user share (a run's fixture values, the template cache):
//! made readable by that user only, since what is kept there (a URL with its password, a
//! database image) is not another user's to read or replace.

use std::path::Path;

/// Makes `dir` and any missing parent, each `0700` on Unix.
pub(crate) fn make(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
