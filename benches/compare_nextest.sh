#!/usr/bin/env bash
# Per-test cost under `cargo nextest run -j 1`, a process per test, side by side in one run:
# an empty `#[test]`, a testrig test with its own seeded database (20 migrations, two seed
# files) on SQLite and on PostgreSQL (when TESTRIG_DATABASE_URL is set), and
# `#[sqlx::test(fixtures(..))]` on each. 30 tests each, release; nextest's own summary time
# (the run, without listing the binaries), after one warm-up run of each (templates and caches
# exist from then on, as on a developer's machine after the first run). ROUNDS runs each (3),
# alternating, median; testrig ÷ empty is the median of per-pair ratios (each testrig run
# against an empty run just before it).
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
rounds=${ROUNDS:-3}
tests="--test db_empty --test db_testrig_seeded --test db_sqlx_test"
cargo nextest run -p testrig-benches --release --no-run $tests >/dev/null 2>&1

# Milliseconds per test of one nextest run of the ignored tests matching $1.
per_test() {
  local out secs
  out=$(cargo nextest run -p testrig-benches --release $tests -j 1 --run-ignored only --no-fail-fast \
    --status-level none --final-status-level none -E "$1" 2>&1) || { echo "failed: $1" >&2; echo "$out" | tail -30 >&2; exit 1; }
  secs=$(echo "$out" | sed -n 's/.*Summary \[ *\([0-9.]*\)s\] *30 tests run.*/\1/p' | tail -1)
  [ -n "$secs" ] || { echo "no summary of 30 tests for $1:" >&2; echo "$out" | tail -10 >&2; exit 1; }
  awk -v s="$secs" 'BEGIN { printf "%.1f", s * 1000 / 30 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

declare -A filters=(
  [empty]='binary(db_empty)'
  [testrig_sqlite]='binary(db_testrig_seeded) & test(/^sqlite::/)'
  [sqlx_sqlite]='binary(db_sqlx_test) & test(/^sqlite_seeded::/)'
)
order=(empty testrig_sqlite sqlx_sqlite)
if [ -n "${TESTRIG_DATABASE_URL:-}" ]; then
  sqlx_url=$TESTRIG_DATABASE_URL
  if [[ $sqlx_url != *sslmode=* ]]; then
    if [[ $sqlx_url == *\?* ]]; then sqlx_url+="&sslmode=disable"; else sqlx_url+="?sslmode=disable"; fi
  fi
  export DATABASE_URL=$sqlx_url
  filters[testrig_postgres]='binary(db_testrig_seeded) & test(/^postgres::/)'
  filters[sqlx_postgres]='binary(db_sqlx_test) & test(/^postgres_seeded::/)'
  order+=(testrig_postgres sqlx_postgres)
else
  # testrig's SQLite tests must not find a server either.
  unset DATABASE_URL
fi

# Each testrig measurement is paired with an empty run just before it: the machine's own
# drift (another process, the server's background work after sqlx::test's databases) moves
# both alike, and the ratio is taken per pair, then the median of the pairs.
declare -A runs pairs
for name in "${order[@]}"; do per_test "${filters[$name]}" >/dev/null; done
for _ in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    if [[ $name == testrig_* ]]; then
      before=$(per_test "${filters[empty]}")
      runs[empty]+=" $before"
      now=$(per_test "${filters[$name]}")
      runs[$name]+=" $now"
      pairs[$name]+=" $(awk -v a="$now" -v b="$before" 'BEGIN { printf "%.3f", a / b }')"
    elif [[ $name != empty ]]; then
      runs[$name]+=" $(per_test "${filters[$name]}")"
    fi
  done
done
declare -A ms
for name in "${order[@]}"; do
  # shellcheck disable=SC2086
  ms[$name]=$(median ${runs[$name]})
  echo "$name:${runs[$name]} -> ${ms[$name]} ms/test${pairs[$name]:+ (÷ the empty run before each:${pairs[$name]})}" >&2
done
# The median of a testrig row's paired ratios, as `ratio` prints one.
paired() {
  # shellcheck disable=SC2086
  awk -v r="$(median ${pairs[$1]})" 'BEGIN { printf "%.2fx", r }'
}

echo "| under \`cargo nextest run -j 1\`, 30 tests, ms/test | testrig | #[sqlx::test] | empty #[test] | testrig ÷ empty | sqlx::test ÷ testrig |"
echo "|---|---|---|---|---|---|"
echo "| SQLite, one seeded database | ${ms[testrig_sqlite]} | ${ms[sqlx_sqlite]} | ${ms[empty]} | $(paired testrig_sqlite) | $(ratio "${ms[sqlx_sqlite]}" "${ms[testrig_sqlite]}") |"
summary_row "9. nextest -j 1: seeded SQLite test vs empty #[test] process" "${ms[testrig_sqlite]} ms/test" \
  "${ms[empty]} ms/test (empty)" "$(paired testrig_sqlite)" "≤ 1.5x"
if [ -n "${ms[testrig_postgres]:-}" ]; then
  echo "| PostgreSQL, one seeded database | ${ms[testrig_postgres]} | ${ms[sqlx_postgres]} | ${ms[empty]} | $(paired testrig_postgres) | $(ratio "${ms[sqlx_postgres]}" "${ms[testrig_postgres]}") |"
  summary_row "9. nextest -j 1: seeded PostgreSQL test vs empty #[test] process" "${ms[testrig_postgres]} ms/test" \
    "${ms[empty]} ms/test (empty)" "$(paired testrig_postgres)" "≤ 3x"
fi
