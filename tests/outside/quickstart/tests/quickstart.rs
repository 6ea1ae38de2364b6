use std::path::PathBuf;

use testrig::prelude::*;

/// A fixture: a type with a `setup`, and a `teardown` that runs after the test whatever
/// happened in it.
pub struct Workdir {
    pub path: PathBuf,
}

#[fixture]
impl Workdir {
    fn setup() -> std::io::Result<Self> {
        let test = testrig::Scope::current().expect("inside a test").id();
        let path = std::env::temp_dir().join(format!("quickstart-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Workdir { path })
    }

    fn teardown(self) -> std::io::Result<()> {
        std::fs::remove_dir_all(&self.path)
    }
}

pub struct Store {
    pub file: PathBuf,
}

#[fixture]
impl Store {
    // `&Workdir` makes Workdir a dependency: set up before Store, torn down after it.
    async fn setup(dir: &Workdir) -> anyhow::Result<Self> {
        let file = dir.path.join("store.txt");
        std::fs::write(&file, "")?;
        Ok(Store { file })
    }
}

#[testrig::test]
fn one_instance_of_each_fixture_per_test(store: &Store, dir: &Workdir) {
    assert!(store.file.starts_with(&dir.path)); // `store` was built from this `dir`
}

#[testrig::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_tests_get_their_own_runtime(store: &Store) -> anyhow::Result<()> {
    std::fs::write(&store.file, "hello")?;
    assert_eq!(std::fs::read_to_string(&store.file)?, "hello");
    Ok(())
}
