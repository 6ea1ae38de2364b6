//! `TempDir`: a directory of the test's own, named after the test, removed after it — and
//! kept, its path printed, when the test fails, for inspection (pytest's `tmp_path`).

use std::path::{Path, PathBuf};

use crate::core::fixture::BoxError;
use crate::core::scope::Scope;

/// A fresh directory for one test: `<temp dir>/testrig/<test path>-<pid>-<n>`, so a kept
/// one says whose it was. Removed when the test passes; kept and named on stderr when it
/// fails.
///
/// ```
/// use testrig::TempDir;
///
/// #[testrig::test]
/// fn writes_a_report(dir: &TempDir) {
///     let report = dir.join("report.txt");
///     std::fs::write(&report, "ok").unwrap();
///     let name = dir.path().file_name().unwrap().to_string_lossy().into_owned();
///     let id = testrig::Scope::current().unwrap().id();
///     assert!(name.ends_with(&format!("writes_a_report-{}-{id}", std::process::id())), "{name}");
/// }
/// # writes_a_report();
/// ```
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

#[testrig_macros::fixture(crate = crate, built_in = "testrig")]
impl TempDir {
    fn setup() -> Result<TempDir, BoxError> {
        let (test, id) = Scope::with_current(|scope| scope.map(|scope| (scope.test_name(), scope.id())))
            .unwrap_or(("outside_a_test", 0));
        // `module::test::case_1` as one file name: `module__test__case_1`.
        let name: String =
            test.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
        let path = std::env::temp_dir().join("testrig").join(format!("{name}-{}-{id}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|error| format!("cannot create {}: {error}", path.display()))?;
        Ok(TempDir { path })
    }

    fn teardown(self) -> Result<(), BoxError> {
        if Scope::with_current(|scope| scope.is_some_and(Scope::has_failed)) {
            let line =
                format!("testrig: the test failed; its TempDir is kept for inspection: {}\n", self.path.display());
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            return Ok(());
        }
        std::fs::remove_dir_all(&self.path)
            .map_err(|error| format!("cannot remove {}: {error}", self.path.display()).into())
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `path` inside the directory.
    pub fn join(&self, path: impl AsRef<Path>) -> PathBuf {
        self.path.join(path)
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}
