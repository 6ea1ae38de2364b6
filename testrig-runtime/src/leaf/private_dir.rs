//! Directories the processes of one user share (a run's fixture values, the template cache):
//! made readable by that user only, since what is kept there (a URL with its password, a
//! database image) is not another user's to read or replace.

use std::path::Path;

/// Makes `dir` and any missing parent, each `0700` on Unix, and checks that `dir` is this
/// user's own and private: one another user made first (in a shared temp dir), or a link,
/// is an error, and the caller does without it.
pub(crate) fn make(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::symlink_metadata(dir)?;
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        if !metadata.is_dir() || metadata.uid() != me || metadata.mode() & 0o077 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("{} is not this user's private directory", dir.display()),
            ));
        }
    }
    Ok(())
}
