#!/usr/bin/env bash
# What a new user pays for depending on testrig: a one-test *sync* crate with testrig's
# default features against the same crate on rstest, built from nothing (dependencies
# included) and rebuilt after an edit, side by side in one run. Goal (issue 16): both
# ratios at most 1.5x rstest's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/benches/lib.sh"
work="$root/target/compare-lean"
runs=${RUNS:-3}
rm -rf "$work"
mkdir -p "$work"

make_crate() { # name dependency-line test-source
  make_crate_dir "$1" "$2"
  printf '%s\n' "$3" > "$work/$1/tests/suite.rs"
}

make_crate with_testrig "testrig = { path = \"$root\" }" '
use testrig::prelude::*;
pub struct Db(u32);
#[fixture] impl Db { fn setup() -> Self { Db(1) } }
#[testrig::test] fn t(db: &Db) { assert_eq!(db.0, 1); }'
make_crate with_rstest 'rstest = { version = "0.26", default-features = false }' '
use rstest::{fixture, rstest};
pub struct Db(u32);
#[fixture] fn db() -> Db { Db(1) }
#[rstest] fn t(db: Db) { assert_eq!(db.0, 1); }'

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
build() { (cd "$1" && CARGO_TARGET_DIR="$1/target" cargo build -q --tests); }

declare -A cold rebuild crates size
for name in with_testrig with_rstest; do
  dir="$work/$name"
  (cd "$dir" && cargo fetch -q)
  crates[$name]=$(cd "$dir" && cargo tree -q -e normal,dev,build --prefix none | sed 's/ (\*)$//' | sort -u | wc -l)
  samples=()
  for _ in $(seq "$runs"); do
    rm -rf "$dir/target"
    samples+=("$(time_ms build "$dir")")
  done
  cold[$name]=$(printf '%s\n' "${samples[@]}" | median)
  samples=()
  for _ in $(seq "$runs"); do
    # An edit: toggle a space in the test's line.
    sed -i '$ s/assert_eq!(/assert_eq! (/; t; $ s/assert_eq! (/assert_eq!(/' "$dir/tests/suite.rs"
    samples+=("$(time_ms build "$dir")")
  done
  rebuild[$name]=$(printf '%s\n' "${samples[@]}" | median)
  binary=$(find "$dir/target/debug/deps" -maxdepth 1 -type f -executable -name 'suite-*' | head -1)
  size[$name]=$(( $(stat -c %s "$binary") / 1024 / 1024 ))
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo "| one sync test, one fixture | crates | cold build, deps included (median of $runs) | rebuild after an edit | test binary |"
echo "|---|---|---|---|---|"
for name in with_testrig with_rstest; do
  echo "| $name | ${crates[$name]} | ${cold[$name]} ms | ${rebuild[$name]} ms | ${size[$name]} MB |"
done
echo "testrig / rstest: $(ratio "${cold[with_testrig]}" "${cold[with_rstest]}") cold, $(ratio "${rebuild[with_testrig]}" "${rebuild[with_rstest]}") rebuild"
summary_row "0. one-test sync crate, cold build" "${cold[with_testrig]} ms" "${cold[with_rstest]} ms (rstest)" \
  "$(ratio "${cold[with_testrig]}" "${cold[with_rstest]}")" "≤ 1.5x"
summary_row "0. the same, rebuild after an edit" "${rebuild[with_testrig]} ms" "${rebuild[with_rstest]} ms (rstest)" \
  "$(ratio "${rebuild[with_testrig]}" "${rebuild[with_rstest]}")" "≤ 1.5x"
