//! A PostgreSQL server of the run's own, when no URL names one (`TESTRIG_DATABASE_URL`,
//! `DATABASE_URL`) and the server's binaries are installed: made with `initdb` in a directory
//! of the temp dir, listening on a Unix socket in that directory only (no TCP port to collide
//! with, nobody else's to reach), with settings for tests (no fsync, no synchronous commit),
//! and stopped with its directory removed when the run ends. A run fixture: one server per
//! `cargo test` process, one per `cargo nextest run` (kept by a keeper process, as the
//! database handout is).
//!
//! `initdb` refuses to run as root: there, the server runs as an unprivileged user
//! (`postgres`, which PostgreSQL's packages make, else `nobody`), said when it starts.
//!
//! Nothing is left behind: the server is the child of a thread that lives as long as its
//! process, and dies with it (`PR_SET_PDEATHSIG`) when that process is killed; the directory
//! of a process that is gone (its lock free) is removed by the next one that starts a server.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::features::db::DbError;

/// The role tests connect as; trusted on the server's socket, which only its user can reach.
const ROLE: &str = "testrig";

/// How long `initdb`, and then the server's start, may each take (a cold disk, a busy
/// machine): `TESTRIG_PG_START_TIMEOUT` seconds, else 120.
fn start_limit() -> Duration {
    let seconds = std::env::var("TESTRIG_PG_START_TIMEOUT").ok().and_then(|value| value.parse().ok());
    Duration::from_secs(seconds.unwrap_or(120))
}

/// The run's throwaway server: its URL (where it lives is in it, [`dir_of`]).
#[derive(Debug)]
pub(crate) struct Throwaway {
    url: String,
}

impl serde::Serialize for Throwaway {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.url.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Throwaway {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|url| Throwaway { url })
    }
}

/// Why the server did not start.
fn not_started(cause: String) -> DbError {
    DbError::Database { what: "cannot start a throwaway PostgreSQL server".into(), cause }
}

#[testrig_macros::fixture(crate = crate, scope = run)]
impl Throwaway {
    fn setup() -> Result<Throwaway, DbError> {
        let bindir =
            binaries()?.ok_or_else(|| not_started("no PostgreSQL server binaries (initdb, postgres) found".into()))?;
        start(&bindir)
    }

    fn teardown(self) -> Result<(), DbError> {
        stop();
        Ok(())
    }
}

/// The run's throwaway server's URL, started for it if no process did: under nextest by its
/// keeper, else in this process (stopped at exit). `None` where PostgreSQL's server binaries
/// are not installed (looked for here, before any keeper is started for nothing).
pub(super) fn url() -> Result<Option<String>, DbError> {
    let Some(bindir) = binaries()? else { return Ok(None) };
    if let Some(attached) = crate::features::run_scope::attach::<Throwaway>() {
        return attached.map(|server| Some(server.url.clone())).map_err(|cause| DbError::Database {
            what: "the run's throwaway PostgreSQL server".into(),
            cause: cause.to_string(),
        });
    }
    // The start may run on a thread of its own ([`super::server::find_early`]) while the
    // process exits (a test that failed before it needed the server): the stop at exit, left
    // before the start and after every other exit work (once fixtures torn down at exit may
    // still use the server), then waits for the start to end and stops what it started.
    let starting = STARTING.lock().unwrap_or_else(PoisonError::into_inner);
    crate::leaf::exit::at_exit_last(stop_at_exit);
    let server = start(&bindir);
    drop(starting);
    Ok(Some(server?.url))
}

/// Held while this process starts its server.
static STARTING: Mutex<()> = Mutex::new(());

extern "C" fn stop_at_exit() {
    let _starting = STARTING.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = std::panic::catch_unwind(stop);
}

/// The directory of the throwaway server `url` names, if it names one.
fn dir_of(url: &str) -> Option<PathBuf> {
    let encoded = url.split_once("?host=")?.1.split('&').next()?;
    let dir = decoded(encoded);
    dir.contains("testrig-pg-").then(|| PathBuf::from(dir))
}

/// Which server `url` is, as `TESTRIG_SHOW` says: the run's throwaway one, by its directory.
pub(super) fn describe(url: &str) -> Option<String> {
    dir_of(url).map(|dir| format!("the run's throwaway server in {}", dir.display()))
}

/// Notes that a failed test's databases are kept on the throwaway server `url` names, if it
/// names one: its data directory then stays after the run (an hour). Returns where they are
/// and how to start the server again, to be said with the test's failure.
pub(super) fn keep_for_inspection(url: &str) -> Option<String> {
    let dir = dir_of(url)?;
    File::create(dir.join(KEPT)).ok()?;
    let dir = dir.display();
    Some(format!(
        "on the throwaway server in {dir}, whose data directory stays an hour after the run: start it with \
         `postgres -D {dir}/data -k {dir} -c listen_addresses=` (as user `postgres` when root) and connect with \
         `psql -h {dir} -U {ROLE} <database>`"
    ))
}

/// In a server's directory: a failed test's databases are kept in it.
const KEPT: &str = "kept";

/// `text` with each byte a URL's query could misread (`&`, `#`, `+`, `%`, a space, ..)
/// percent-encoded.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes.get(at + 1..at + 3).and_then(|hex| std::str::from_utf8(hex).ok());
        match (bytes[at], hex.and_then(|hex| u8::from_str_radix(hex, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The running server of this process: its process, and its directory with the lock that
/// says the directory is in use.
struct Running {
    child: Child,
    dir: PathBuf,
    _lock: File,
}

/// Stops `child`, a server or `initdb`: fast shutdown (SIGINT), then immediate (SIGQUIT,
/// which also ends its children), then a kill, each waited for a bounded time.
fn stop_child(child: &mut Child) {
    for (signal, wait) in [(libc::SIGINT, 10), (libc::SIGQUIT, 5), (libc::SIGKILL, 5)] {
        // SAFETY: kill has no memory preconditions; the pid is our own child's, not reaped yet.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        if wait_for(child, Duration::from_secs(wait)).is_some() {
            return;
        }
    }
}

/// Removes a server's directory and then its lock (a directory that could not be removed
/// whole keeps no lock: the next reaper removes it after a while).
fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    if !dir.exists() {
        let _ = std::fs::remove_file(lock_path(dir));
    }
}

static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

fn start(bindir: &Path) -> Result<Throwaway, DbError> {
    let user = unprivileged_user().map_err(not_started)?;
    let base = base_dir(user.as_ref());
    reap(&base);
    let (dir, lock) =
        make_dir(&base, user.as_ref()).map_err(|error| not_started(format!("in {}: {error}", base.display())))?;
    let started = start_in(bindir, &dir, user.as_ref());
    let child = match started {
        Ok(child) => child,
        Err(cause) => {
            remove_dir(&dir);
            return Err(not_started(cause));
        }
    };
    // No TLS on a socket only this user reaches (and a `PGSSLMODE=require` of the
    // environment is not this server's).
    let url = format!(
        "postgres://{ROLE}@localhost:5432/postgres?host={}&sslmode=disable",
        encoded(&dir.display().to_string())
    );
    let version = std::fs::read_to_string(dir.join("data/PG_VERSION")).unwrap_or_default();
    let line = format!(
        "testrig: started a throwaway PostgreSQL {} server for this run (no TESTRIG_DATABASE_URL or DATABASE_URL): {}{}\n",
        version.trim(),
        dir.display(),
        user.as_ref().map_or_else(String::new, |user| format!(", as user `{}` (initdb refuses root)", user.name)),
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) = Some(Running { child, dir: dir.clone(), _lock: lock });
    Ok(Throwaway { url })
}

/// Stops this process's server (fast shutdown, then immediate, then a kill, each bounded)
/// and removes its directory.
fn stop() {
    let Some(Running { mut child, dir, _lock }) = RUNNING.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return;
    };
    stop_child(&mut child);
    if dir.join(KEPT).exists() {
        // A failed test's databases are in it: it stays for a while, its lock released
        // with this process.
        let _ = std::fs::remove_file(lock_path(&dir));
        return;
    }
    remove_dir(&dir);
}

/// Waits (at most `limit`) for `child` to exit.
fn wait_for(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if started.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Where the server's binaries are: `TESTRIG_PG_BINDIR` (`none`: no throwaway server), else
/// the `PATH`, the packages' places (the newest version first), `pg_config --bindir` (a
/// process to run: last, since under nextest every test's process looks).
fn binaries() -> Result<Option<PathBuf>, DbError> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("TESTRIG_PG_BINDIR").filter(|dir| !dir.is_empty()) {
        if dir == "none" {
            return Ok(None);
        }
        let dir = std::path::absolute(&dir).unwrap_or_else(|_| PathBuf::from(&dir));
        if !has_server(&dir) {
            return Err(not_started(format!(
                "TESTRIG_PG_BINDIR is {}, which has no `initdb` and `postgres` in it",
                dir.display()
            )));
        }
        return Ok(Some(dir));
    }
    let on_path =
        std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect::<Vec<_>>()).unwrap_or_default();
    let mut packaged: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| {
            versions
                .flatten()
                .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
                .collect()
        })
        .unwrap_or_default();
    packaged.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    let found = on_path
        .into_iter()
        .chain(packaged.into_iter().map(|(_, dir)| dir))
        .chain([PathBuf::from("/usr/local/pgsql/bin")])
        .find(|dir| has_server(dir));
    Ok(found.or_else(|| pg_config_bindir().filter(|dir| has_server(dir))))
}

/// `pg_config --bindir`, waited for at most 10 s.
fn pg_config_bindir() -> Option<PathBuf> {
    let mut child = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    if !wait_for(&mut child, Duration::from_secs(10)).is_some_and(|status| status.success()) {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    Some(PathBuf::from(out.trim()))
}

/// Who the server runs as when this process is root, which `initdb` refuses to be.
struct User {
    name: String,
    uid: u32,
    gid: u32,
}

fn unprivileged_user() -> Result<Option<User>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        let c_name = std::ffi::CString::new(name).expect("no NUL in the name");
        // SAFETY: a NUL-terminated name; the entry is copied out before any other call.
        let entry = unsafe { libc::getpwnam(c_name.as_ptr()) };
        if !entry.is_null() {
            // SAFETY: non-null, as getpwnam returned it.
            let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
            return Ok(Some(User { name: name.to_owned(), uid, gid }));
        }
    }
    Err("running as root, and initdb refuses root: no `postgres` or `nobody` user to run the server as".into())
}

/// The temp dir, or `/tmp` when the server's user (not root) cannot reach into the temp dir,
/// or the server's socket there would pass the length a socket's path may have (108 bytes on
/// Linux: the directory's name and `/.s.PGSQL.5432.lock` must fit).
fn base_dir(user: Option<&User>) -> PathBuf {
    let temp = std::env::temp_dir();
    if temp.as_os_str().len() + "/testrig-pg-4294967295-ffffffff/.s.PGSQL.5432.lock".len() > 107 {
        return PathBuf::from("/tmp");
    }
    let reachable = || {
        temp.ancestors().all(|dir| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(dir).is_ok_and(|metadata| metadata.permissions().mode() & 0o001 != 0)
        })
    };
    match user {
        Some(_) if !reachable() => PathBuf::from("/tmp"),
        _ => temp,
    }
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.with_extension("lock")
}

/// Makes this process's directory (`testrig-pg-<pid>-<random>`, `0700`, the server user's),
/// and takes the lock beside it that says it is in use.
fn make_dir(base: &Path, user: Option<&User>) -> std::io::Result<(PathBuf, File)> {
    use std::os::unix::fs::DirBuilderExt;
    let random = std::collections::hash_map::RandomState::new();
    let tag = std::hash::BuildHasher::hash_one(&random, std::process::id()) as u32;
    let dir = base.join(format!("testrig-pg-{}-{tag:08x}", std::process::id()));
    let lock = File::create(lock_path(&dir))?;
    if !crate::leaf::file_lock::try_exclusive(&lock)? {
        return Err(std::io::Error::other("its lock is held by another process"));
    }
    let made = std::fs::DirBuilder::new().mode(0o700).create(&dir).and_then(|()| match user {
        Some(user) => {
            let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).map_err(std::io::Error::other)?;
            // SAFETY: a NUL-terminated path.
            match unsafe { libc::chown(path.as_ptr(), user.uid, user.gid) } {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        }
        None => Ok(()),
    });
    if let Err(error) = made {
        remove_dir(&dir);
        return Err(error);
    }
    Ok((dir, lock))
}

/// Removes the directories of processes that are gone: their lock is free (or gone, for a
/// directory that could not be removed whole, or kept a failed test's databases, an hour).
fn reap(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with("testrig-pg-") {
            continue;
        }
        if !name.ends_with(".lock") {
            let path = entry.path();
            let age = |path: &Path, limit| {
                std::fs::metadata(path).is_ok_and(|made| crate::leaf::private_dir::unmodified_for(&made, limit))
            };
            let lockless = !lock_path(&path).exists() && age(&path, Duration::from_secs(60));
            let kept_long_enough = !path.join(KEPT).exists() || age(&path.join(KEPT), super::names::KEPT_FOR);
            if lockless && kept_long_enough {
                let _ = std::fs::remove_dir_all(&path);
            }
            continue;
        }
        let Ok(lock) = File::options().write(true).open(entry.path()) else { continue };
        // A minute's grace: a process that made its lock a moment ago may not hold it yet.
        let settled =
            lock.metadata().is_ok_and(|made| crate::leaf::private_dir::unmodified_for(&made, Duration::from_secs(60)));
        if settled && crate::leaf::file_lock::try_exclusive(&lock).unwrap_or(false) {
            // Held while removing, so no second reaper takes a new one for it.
            let dir = entry.path().with_extension("");
            if dir.join(KEPT).exists() {
                // Its databases are looked at for a while: the lock-less rule above applies.
                let _ = std::fs::remove_file(entry.path());
                continue;
            }
            remove_dir(&dir);
        }
    }
}

/// `initdb`, then the server, in `dir`; returns once it accepts connections.
fn start_in(bindir: &Path, dir: &Path, user: Option<&User>) -> Result<Child, String> {
    let data = dir.join("data");
    let as_user = |command: &mut Command| {
        // In its own directory: the caller's may be one the server's user cannot enter.
        command.current_dir(dir);
        if let Some(user) = user {
            command.uid(user.uid).gid(user.gid).env("HOME", dir);
        }
    };
    // One file for both streams (two handles would write over each other).
    let log = |name: &str| {
        let file = File::create(dir.join(name)).map_err(|error| format!("cannot write its log: {error}"))?;
        let again = file.try_clone().map_err(|error| format!("cannot write its log: {error}"))?;
        Ok::<_, String>((file, again))
    };
    let mut initdb = Command::new(bindir.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-U", ROLE, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        .stdin(Stdio::null());
    let (out, err) = log("initdb.log")?;
    initdb.stdout(out).stderr(err);
    as_user(&mut initdb);
    let mut child =
        initdb.spawn().map_err(|error| format!("cannot run {}: {error}", bindir.join("initdb").display()))?;
    let limit = start_limit();
    match wait_for(&mut child, limit) {
        Some(status) if status.success() => {}
        Some(status) => return Err(format!("initdb failed ({status}):\n{}", tail(&dir.join("initdb.log")))),
        None => {
            stop_child(&mut child);
            return Err(format!(
                "initdb took over {limit:?} (TESTRIG_PG_START_TIMEOUT):\n{}",
                tail(&dir.join("initdb.log"))
            ));
        }
    }
    let mut postgres = Command::new(bindir.join("postgres"));
    postgres
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(dir)
        .args(["-p", "5432", "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB"])
        .stdin(Stdio::null())
        // Its own process group: a Ctrl-C meant for the tests does not stop it under them.
        .process_group(0);
    let (out, err) = log("server.log")?;
    postgres.stdout(out).stderr(err);
    as_user(&mut postgres);
    let parent = std::process::id();
    // SAFETY: prctl and getppid are async-signal-safe; set after the user change (which
    // clears it).
    unsafe {
        postgres.pre_exec(move || {
            // Immediate shutdown when the thread that started it ends: its process is gone.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Gone already, before the signal was armed: not started at all.
            if libc::getppid() as u32 != parent {
                return Err(std::io::Error::other("the process that started it is gone"));
            }
            Ok(())
        });
    }
    let mut child = spawn_from_a_lasting_thread(postgres)
        .map_err(|error| format!("cannot run {}: {error}", bindir.join("postgres").display()))?;
    let started = Instant::now();
    loop {
        // The server writes `ready` in its lock file once it accepts connections.
        let status = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
        if status.lines().nth(7).is_some_and(|line| line.trim() == "ready") {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited ({status}):\n{}", tail(&dir.join("server.log"))));
        }
        if started.elapsed() > limit {
            stop_child(&mut child);
            return Err(format!(
                "the server was not ready after {limit:?} (TESTRIG_PG_START_TIMEOUT), waiting for `ready` in its \
                 postmaster.pid; its log:\n{}",
                tail(&dir.join("server.log"))
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Spawns `command` from a thread that lives as long as the process: the child's
/// `PR_SET_PDEATHSIG` fires when the thread that started it ends, so a test's thread would
/// stop the server with its test.
fn spawn_from_a_lasting_thread(mut command: Command) -> std::io::Result<Child> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new().name("testrig-postgres".into()).spawn(move || {
        let _ = sender.send(command.spawn());
        loop {
            std::thread::park();
        }
    })?;
    receiver.recv().map_err(std::io::Error::other)?
}

/// The last lines of a log, to say why.
fn tail(path: &Path) -> String {
    crate::leaf::private_dir::last_lines(path, 20).join("\n")
}
