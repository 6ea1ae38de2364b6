#!/usr/bin/env bash
# Time to a fresh migrated database set per test: `#[with_cells(cell1, cell2)]` (API + cell0 +
# 2 cells, 20 migrations in all) vs `#[sqlx::test]` (one database, the same 20 migrations).
# 30 tests each, one thread, per-test mean; SQLite always, PostgreSQL when TESTRIG_DATABASE_URL
# is set (sqlx::test gets the same server through DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
cargo test -p testrig-benches --release --no-run --test db_testrig_cells --test db_testrig_seeded --test db_sqlx_test >/dev/null 2>&1
fixture_bin=$(test_binary db_testrig_cells)
seeded_bin=$(test_binary db_testrig_seeded)
sqlx_bin=$(test_binary db_sqlx_test)
per_test() { awk -v t="$1" 'BEGIN { printf "%.1f", t / 30 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

echo "| backend | #[with_cells(cell1, cell2)]: 4 databases | #[sqlx::test]: 1 database | ratio |"
echo "|---|---|---|---|"
f=$(time_ms env -u TESTRIG_DATABASE_URL "$fixture_bin" --ignored --test-threads=1)
s=$(time_ms "$sqlx_bin" --ignored --test-threads=1 sqlite::)
echo "| SQLite | $(per_test "$f") ms/test | $(per_test "$s") ms/test | $(ratio "$s" "$f") faster |"
summary_row "4. fresh api + cell0 + 2 cells vs one sqlx::test database, SQLite" "$(per_test "$f") ms/test" \
  "$(per_test "$s") ms/test" "$(ratio "$s" "$f") faster" "≥ 10x"
f=$(time_ms env -u TESTRIG_DATABASE_URL "$seeded_bin" --ignored --test-threads=1 sqlite::)
s=$(time_ms "$sqlx_bin" --ignored --test-threads=1 sqlite_seeded::)
echo "| SQLite, one seeded database | $(per_test "$f") ms/test (#[database(fixtures(..))], &SqlitePool) | $(per_test "$s") ms/test (#[sqlx::test(fixtures(..))]) | $(ratio "$s" "$f") faster |"
summary_row "4. one seeded database per test vs #[sqlx::test(fixtures(..))], SQLite" "$(per_test "$f") ms/test" \
  "$(per_test "$s") ms/test" "$(ratio "$s" "$f") faster" "≥ 20x"
# The port as sqlx::test's users write it: `#[testrig::database(..)]`, the pool by value.
v=$(time_ms env -u TESTRIG_DATABASE_URL "$seeded_bin" --ignored --test-threads=1 sqlite_by_value::)
echo "| SQLite, one seeded database, \`pool: SqlitePool\` by value | $(per_test "$v") ms/test | $(per_test "$s") ms/test | $(ratio "$s" "$v") faster |"
summary_row "4. the same, the pool by value (#[testrig::database])" "$(per_test "$v") ms/test" \
  "$(per_test "$s") ms/test" "$(ratio "$s" "$v") faster" "≤ the &SqlitePool form's"
if [ -n "${TESTRIG_DATABASE_URL:-}" ]; then
  # One warm-up run each: the template exists from then on.
  time_ms "$seeded_bin" --ignored --test-threads=1 postgres::t00 >/dev/null
  f=$(time_ms "$seeded_bin" --ignored --test-threads=1 postgres::)
  sqlx_url=$TESTRIG_DATABASE_URL
  if [[ $sqlx_url != *sslmode=* ]]; then
    if [[ $sqlx_url == *\?* ]]; then sqlx_url+="&sslmode=disable"; else sqlx_url+="?sslmode=disable"; fi
  fi
  time_ms env DATABASE_URL="$sqlx_url" "$sqlx_bin" --ignored --test-threads=1 postgres_seeded::t00 >/dev/null
  s=$(DATABASE_URL="$sqlx_url" time_ms "$sqlx_bin" --ignored --test-threads=1 postgres_seeded::)
  echo "| PostgreSQL, one seeded database | $(per_test "$f") ms/test | $(per_test "$s") ms/test | $(ratio "$s" "$f") faster |"
  v=$(time_ms "$seeded_bin" --ignored --test-threads=1 postgres_by_value::)
  echo "| PostgreSQL, one seeded database, \`pool: PgPool\` by value | $(per_test "$v") ms/test | $(per_test "$s") ms/test | $(ratio "$s" "$v") faster |"
  summary_row "4. the same on PostgreSQL" "$(per_test "$f") ms/test" "$(per_test "$s") ms/test" \
    "$(ratio "$s" "$f") faster" "≥ 5x"
fi
if [ -n "${TESTRIG_DATABASE_URL:-}" ]; then
  # One warm-up run each: the template (and sqlx's bookkeeping schema) exist from then on,
  # as they do for every run after the first on a developer's machine.
  time_ms "$fixture_bin" --ignored --test-threads=1 t00 >/dev/null
  f=$(time_ms "$fixture_bin" --ignored --test-threads=1)
  # The same connection settings for sqlx::test: without TLS, as fixture connects on loopback.
  sqlx_url=$TESTRIG_DATABASE_URL
  if [[ $sqlx_url != *sslmode=* ]]; then
    if [[ $sqlx_url == *\?* ]]; then sqlx_url+="&sslmode=disable"; else sqlx_url+="?sslmode=disable"; fi
  fi
  s=$(DATABASE_URL="$sqlx_url" time_ms "$sqlx_bin" --ignored --test-threads=1 postgres::t)
  echo "| PostgreSQL | $(per_test "$f") ms/test | $(per_test "$s") ms/test | $(ratio "$s" "$f") faster |"
  summary_row "4. api + cell0 + 2 cells, PostgreSQL" "$(per_test "$f") ms/test" "$(per_test "$s") ms/test" \
    "$(ratio "$s" "$f") faster" "≥ 5x"
  # How a new pooled database is cloned: both strategies from the API template built above,
  # alternated, 10 each, in one psql session (no connect in the timing); median of each.
  template=$(psql "$TESTRIG_DATABASE_URL" -qAtX -c \
    "SELECT datname FROM pg_database WHERE datname LIKE 'testrig\_tpl\_v4\_schema\_api\_%' AND pg_get_userbyid(datdba) = current_user LIMIT 1")
  psql "$TESTRIG_DATABASE_URL" -qX -c "DROP DATABASE IF EXISTS testrig_bench_strategy" 2>/dev/null
  { echo '\timing on'
    for _ in $(seq 10); do
      for strategy in FILE_COPY WAL_LOG; do
        echo "CREATE DATABASE testrig_bench_strategy TEMPLATE \"$template\" STRATEGY $strategy;"
        echo "DROP DATABASE testrig_bench_strategy;"
      done
    done; } | psql "$TESTRIG_DATABASE_URL" -qX -v ON_ERROR_STOP=1 \
    | awk '/^Time:/ { n++; print (n - 1) % 4, $2 }' > "${TMPDIR:-/tmp}/testrig-strategy.txt"
  median() { awk -v k="$1" '$1 == k { print $2 }' "${TMPDIR:-/tmp}/testrig-strategy.txt" | sort -n \
    | awk '{ a[NR] = $1 } END { printf "%.0f", a[int((NR + 1) / 2)] }'; }
  echo
  echo "CREATE DATABASE .. TEMPLATE, median of 10: FILE_COPY $(median 0) ms (+ DROP $(median 1) ms)," \
    "WAL_LOG $(median 2) ms (+ DROP $(median 3) ms)"
else
  echo "(PostgreSQL skipped: TESTRIG_DATABASE_URL is not set)"
  summary_row "4. the same on PostgreSQL" "-" "-" "not run: TESTRIG_DATABASE_URL is not set" "≥ 5x"
fi
