//! Directories the processes of one user share (a run's fixture values, the template cache):
//! made readable by that user only, since what is kept there (a URL with its password, a
//! database image) is not another user's to read or replace; and how a file in them is
//! written and aged.

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

/// Writes `path` whole: to a hidden file beside it first, then renamed over it, so a process
/// reading it finds the old content or the new, never a part (or nothing, if it was not
/// there). The hidden file is removed if the write fails.
pub(crate) fn write_whole(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let name = path.file_name().map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    let making = path.with_file_name(format!(".{}.{name}", std::process::id()));
    let written = std::fs::write(&making, contents).and_then(|()| std::fs::rename(&making, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&making);
    }
    written
}

/// Whether what `metadata` describes was last modified more than `limit` ago.
pub(crate) fn unmodified_for(metadata: &std::fs::Metadata, limit: std::time::Duration) -> bool {
    metadata.modified().is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > limit))
}

/// The last `count` lines of `path` that are not blank (none when it cannot be read): what a
/// process that failed wrote last to its log.
#[cfg_attr(not(feature = "run"), allow(dead_code))]
pub(crate) fn last_lines(path: &Path, count: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].iter().map(|line| (*line).to_owned()).collect()
}
