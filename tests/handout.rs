//! Under nextest, a process per test, PostgreSQL databases come from the run's handout: a
//! keeper process resets what one test handed back and hands it to the next. Each test here
//! first observes its database — rows of both schemas, sequences, the catalog — and checks it
//! is what every other test of the run observed (the template's state, whoever used the
//! database before), then changes data everywhere a test can. Run under `cargo nextest run`
//! with `TESTRIG_DATABASE_URL` (CI's PostgreSQL phase); under `cargo test` the same holds in
//! one process. Skips, saying why, without a server.

// Each test's fixture test is an item inside it, called only when a server is given.
#![allow(unnameable_test_items)]

mod support;

use sqlx::PgPool;
use support::databases::observe;

/// What this test observed, beside what every other test of the run observed: all equal.
fn same_as_every_other_test(name: &str, seen: &str) {
    let run = std::env::var("NEXTEST_RUN_ID").unwrap_or_else(|_| std::process::id().to_string());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("handout-observations").join(run);
    std::fs::create_dir_all(&dir).unwrap();
    for other in std::fs::read_dir(&dir).unwrap().flatten() {
        let theirs = std::fs::read_to_string(other.path()).unwrap();
        assert_eq!(seen, theirs, "{name} saw another state than {:?}", other.file_name());
    }
    std::fs::write(dir.join(name), seen).unwrap();
}

/// Data changes everywhere: both schemas, past a trigger, sequences moved and set, rows
/// updated and deleted (the audit trigger writes on delete).
async fn change_everything(pool: &PgPool, name: &str) {
    for statement in [
        format!("INSERT INTO users (name) VALUES ('{name}')"),
        "UPDATE users SET mood = 'sad' WHERE id = 1".to_owned(),
        "DELETE FROM billing.invoices WHERE user_id = 2".to_owned(),
        "DELETE FROM users WHERE id = 2".to_owned(),
        "INSERT INTO billing.invoices (user_id, amount) VALUES (1, 99)".to_owned(),
        format!("INSERT INTO billing.ledger (entry) VALUES ('{name}')"),
        "SELECT setval('billing.ledger_id_seq', 1000)".to_owned(),
        "SELECT nextval('audit_id_seq')".to_owned(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

macro_rules! handed_out {
    ($($name:ident)*) => {$(
        #[test]
        fn $name() {
            #[testrig::test]
            #[database(migrations = "tests/migrations/pg_reset", fixtures("pg_reset"))]
            async fn case(pool: &PgPool) {
                let seen = observe(pool).await;
                same_as_every_other_test(stringify!($name), &seen);
                change_everything(pool, stringify!($name)).await;
            }
            if std::env::var_os("TESTRIG_DATABASE_URL").is_none_or(|url| url.is_empty()) {
                println!("skipped: TESTRIG_DATABASE_URL is not set");
                return;
            }
            case();
        }
    )*};
}

handed_out!(h01 h02 h03 h04 h05 h06 h07 h08 h09 h10 h11 h12);
