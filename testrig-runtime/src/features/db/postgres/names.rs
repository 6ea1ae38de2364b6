//! What testrig's databases on the server are called and commented with: every process, of
//! this version or another, sharing the server tells by them whose a database is, whether it
//! is a template, a clean database waiting for a test or a failed test's kept one.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::features::db::recipe::identifier;

/// Every test database's name starts so.
pub(super) const PREFIX: &str = "testrig_t_";

/// Every template's name, of any version of testrig, starts so.
pub(super) const ANY_TEMPLATE_PREFIX: &str = "testrig_tpl_";

/// Every template's name starts so; `v4` templates carry the facts their clones are reset
/// from ([`super::reset::Facts`]), older ones are never reused.
pub(crate) const TEMPLATE_PREFIX: &str = "testrig_tpl_v4_";

/// A template being built is first a scratch database `testrig_tpl_s_<hash>_<owner id>`,
/// renamed once complete; the reaper drops one whose builder is gone.
pub(crate) const SCRATCH_PREFIX: &str = "testrig_tpl_s_";

/// The scratch database the process of `owner` builds the template of `hash` in.
pub(super) fn scratch_name(hash: u64, owner: u32) -> String {
    format!("{SCRATCH_PREFIX}{hash:016x}_{owner:08x}")
}

/// The owner id of a template build's scratch database (`testrig_tpl_s_<hash>_<owner>`).
pub(super) fn scratch_owner(name: &str) -> Option<u32> {
    let (_, owner) = name.strip_prefix(SCRATCH_PREFIX)?.rsplit_once('_')?;
    u32::from_str_radix(owner, 16).ok().filter(|_| owner.len() == 8)
}

/// The name of a test database says whose it is and when it was made or taken over:
/// `testrig_t_<owner id, 8 hex>_<unix seconds>_<serial>_<label>`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TestDatabaseName<'a> {
    pub(crate) owner: u32,
    pub(crate) made: u64,
    pub(crate) label: &'a str,
}

impl<'a> TestDatabaseName<'a> {
    /// A new name for the process of `owner`; `serial` makes it unique within the process.
    pub(crate) fn make(owner: u32, serial: &str, label: &str) -> String {
        format!("{PREFIX}{owner:08x}_{}_{serial}_{}", unix_now(), identifier(label, 16))
    }

    /// `None` for a name this version did not make (older versions named the host and pid).
    pub(crate) fn parse(name: &'a str) -> Option<Self> {
        let mut parts = name.strip_prefix(PREFIX)?.splitn(4, '_');
        let owner = parts.next().filter(|hex| hex.len() == 8)?;
        let owner = u32::from_str_radix(owner, 16).ok()?;
        let made = parts.next()?.parse().ok()?;
        let _serial = parts.next()?;
        let label = parts.next().unwrap_or("db");
        Some(TestDatabaseName { owner, made, label })
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// The comment a pooled, reset database carries, followed by its template's name: the next
/// process may adopt it if this one ends with it in the pool.
pub(super) const FREE_MARK: &str = "testrig:free:";

/// What a failed test's database is commented with: `testrig:kept:<run id>:<unix seconds>`.
pub(super) const KEPT_MARK: &str = "testrig:kept:";

/// How long a failed test's databases stay after its process is gone, for inspection (on a
/// throwaway server, its data directory); within the same nextest run (`NEXTEST_RUN_ID`)
/// they stay whatever the time.
pub(super) const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The comment marking a failed test's database kept.
pub(super) fn kept_mark() -> String {
    format!("{KEPT_MARK}{}:{}", run_id(), unix_now())
}

/// nextest's id of this run (a process per test shares it), or empty.
pub(super) fn run_id() -> String {
    std::env::var("NEXTEST_RUN_ID")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// What a v4 template's description (its database comment) starts with.
pub(super) const DESCRIPTION_TAG: &str = "testrig:template:v4";

/// Fields of a template's description are separated so (unit and record separators: never in
/// SQL text the build generates, which quotes every value it embeds).
pub(super) const FIELD: char = '\u{1f}';
pub(super) const ITEM: char = '\u{1e}';

/// When the template described so was built; 0 when not recorded. Read without the rest of
/// the description, by a reaper that resets nothing: the fifth field, as
/// [`super::reset::Facts::describe`] writes it.
pub(super) fn built_at(description: &str) -> u64 {
    description.split(FIELD).nth(4).and_then(|built| built.parse().ok()).unwrap_or(0)
}

/// `text` as an SQL string literal (standard conforming strings: only quotes are doubled).
pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let name = TestDatabaseName::make(0xdead_beef, "7", "Cell-1");
        let parsed = TestDatabaseName::parse(&name).unwrap();
        assert_eq!((parsed.owner, parsed.label), (0xdead_beef, "cell1"));
        assert!(unix_now() - parsed.made < 5);
        assert!(name.len() <= 63, "PostgreSQL truncates identifiers at 63 bytes: {name}");
        assert_eq!(TestDatabaseName::parse("testrig_tpl_v4_x"), None);
        assert_eq!(TestDatabaseName::parse("testrig_t_abcdef_12_1700000000_1_api"), None, "an older version's name");
        assert_eq!(TestDatabaseName::parse("testrig_t_0000000a_x_1_api"), None, "no time");
    }

    #[test]
    fn scratch_databases_name_their_builder() {
        assert_eq!(scratch_owner(&scratch_name(0x00ff_00ff_00ff_00ff, 42)), Some(42));
        assert_eq!(scratch_owner(&format!("{SCRATCH_PREFIX}00ff00ff00ff00ff_0000002a")), Some(42));
        assert_eq!(scratch_owner(&format!("{SCRATCH_PREFIX}00ff00ff00ff00ff_12345")), None, "not an owner id");
        assert_eq!(scratch_owner("testrig_tpl_v4_a_main_00ff00ff00ff00ff"), None, "a template");
    }

    #[test]
    fn literals_double_their_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
    }
}
