#!/usr/bin/env bash
# Build time of a test crate with 200 tests that each need 3 fixtures: with `testrig`, with
# rstest, and as plain `#[test]` functions doing the setup by hand. Dependencies are built
# first; then each crate's own test target is built clean and rebuilt after touching one test
# (incremental, debug profile as `cargo test` uses), 5 times, the crates taking turns (median).
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
root=$(pwd)
work="$root/target/compare-build"
mkdir -p "$work"
tests=200

fixture_src() {
  cat <<'RS'
use testrig::prelude::*;
pub struct Db(u32);
#[fixture] impl Db { fn setup() -> Self { Db(1) } }
pub struct Conf(u32);
#[fixture] impl Conf { fn setup(db: &Db) -> Self { Conf(db.0 + 1) } }
pub struct Cloud(u32);
#[fixture] impl Cloud { fn setup(db: &Db, conf: &Conf) -> Self { Cloud(db.0 + conf.0) } fn teardown(self) {} }
RS
  for i in $(seq "$tests"); do
    echo "#[testrig::test] fn t$i(cloud: &Cloud, conf: &Conf) { assert_eq!(cloud.0 + conf.0, 5 + $i - $i); }"
  done
}

rstest_src() {
  cat <<'RS'
use rstest::{fixture, rstest};
pub struct Db(u32);
#[fixture] fn db() -> Db { Db(1) }
pub struct Conf(u32);
#[fixture] fn conf(db: Db) -> Conf { Conf(db.0 + 1) }
pub struct Cloud(u32);
#[fixture] fn cloud(db: Db, conf: Conf) -> Cloud { Cloud(db.0 + conf.0) }
RS
  for i in $(seq "$tests"); do
    echo "#[rstest] fn t$i(cloud: Cloud, conf: Conf) { assert_eq!(cloud.0 + conf.0, 5 + $i - $i); }"
  done
}

# rstest's source above after the port's token swap: testrig reading rstest's shapes
# (fixture functions injected by name).
ported_src() {
  rstest_src | sed 's/^use rstest::{fixture, rstest};/use testrig::prelude::*;/; s/#\[rstest\]/#[testrig::test]/'
}

plain_src() {
  cat <<'RS'
pub struct Db(u32);
pub struct Conf(u32);
pub struct Cloud(u32);
fn set_up() -> (Db, Conf, Cloud) { let db = Db(1); let conf = Conf(db.0 + 1); let cloud = Cloud(db.0 + conf.0); (db, conf, cloud) }
RS
  for i in $(seq "$tests"); do
    echo "#[test] fn t$i() { let (_db, conf, cloud) = set_up(); assert_eq!(cloud.0 + conf.0, 5 + $i - $i); drop(cloud); }"
  done
}

# 1,000 cases: one test over a 10 x 10 x 10 product of values, with a fixture.
digits='0, 1, 2, 3, 4, 5, 6, 7, 8, 9'
fixture_cases_src() {
  fixture_src | sed -n '1,7p'
  echo "#[testrig::test] fn t(#[values($digits)] a: u32, #[values($digits)] b: u32, #[values($digits)] c: u32, cloud: &Cloud) { assert!(cloud.0 + a + b + c < 100); }"
}

rstest_cases_src() {
  rstest_src | sed -n '1,7p'
  echo "#[rstest] fn t(#[values($digits)] a: u32, #[values($digits)] b: u32, #[values($digits)] c: u32, cloud: Cloud) { assert!(cloud.0 + a + b + c < 100); }"
}

ported_cases_src() {
  rstest_cases_src | sed 's/^use rstest::{fixture, rstest};/use testrig::prelude::*;/; s/#\[rstest\]/#[testrig::test]/'
}

plain_cases_src() {
  plain_src | sed -n '1,4p'
  echo "fn check(a: u32, b: u32, c: u32) { let (_db, _conf, cloud) = set_up(); assert!(cloud.0 + a + b + c < 100); }"
  for i in $(seq 0 999); do echo "#[test] fn t_$i() { check($((i / 100)), $((i / 10 % 10)), $((i % 10))); }"; done
}

make_crate() { # name dependency-line source-function
  make_crate_dir "$1" "$2"
  "$3" > "$work/$1/tests/suite.rs"
  if [[ "$2" == testrig* ]]; then
    # Built as cargo builds a crates.io dependency such as rstest (16 codegen units), not as
    # the path dependency it is here (incremental, one object per module and more: the
    # runtime came to 178 objects, ~20 M more instructions for the linker to read).
    printf '\n[profile.dev.package.testrig-runtime]\ncodegen-units = 16\n[profile.dev.package.testrig-macros]\ncodegen-units = 16\n[profile.dev.package.testrig]\ncodegen-units = 16\n' \
      >> "$work/$1/Cargo.toml"
  fi
}

fixture_dep="testrig = { path = \"$root\" }"
rstest_dep='rstest = { version = "0.26", default-features = false }'
make_crate with_fixture "$fixture_dep" fixture_src
make_crate with_rstest "$rstest_dep" rstest_src
make_crate plain_tests '' plain_src
make_crate with_ported "$fixture_dep" ported_src
make_crate cases_ported "$fixture_dep" ported_cases_src
make_crate cases_fixture "$fixture_dep" fixture_cases_src
make_crate cases_rstest "$rstest_dep" rstest_cases_src
make_crate cases_plain '' plain_cases_src

build_ms() { # dir: builds the suite test target, returns ms
  local start end
  start=$(date +%s%N)
  (cd "$1" && CARGO_TARGET_DIR="$1/target" cargo build -q --tests --test suite >/dev/null 2>&1)
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

names=(with_fixture with_rstest plain_tests with_ported cases_fixture cases_rstest cases_plain cases_ported)
for name in "${names[@]}"; do
  dir="$work/$name"
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q --tests >/dev/null 2>&1) # dependencies
done
# The crates take turns, run after run, so a slow moment of the machine falls on all of them
# alike; each figure is the median of its runs.
runs=5
declare -A clean_runs incremental_runs
for _ in $(seq "$runs"); do
  for name in "${names[@]}"; do
    dir="$work/$name"
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo clean -q -p "$name" >/dev/null 2>&1)
    clean_runs[$name]+="$(build_ms "$dir") "
    # Touch one test: toggle a space in its line.
    sed -i '$ s/assert!(/assert! (/; t; $ s/assert! (/assert!(/' "$dir/tests/suite.rs"
    incremental_runs[$name]+="$(build_ms "$dir") "
  done
done
median() { printf '%s\n' $1 | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
declare -A clean incremental
for name in "${names[@]}"; do
  clean[$name]=$(median "${clean_runs[$name]}")
  incremental[$name]=$(median "${incremental_runs[$name]}")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo "| $tests tests, 3 fixtures each | clean build of the test crate (median of $runs) | rebuild after touching one test (median of $runs) |"
echo "|---|---|---|"
for name in with_fixture with_rstest plain_tests with_ported; do
  echo "| $name | ${clean[$name]} ms | ${incremental[$name]} ms |"
done
echo
echo "testrig / rstest: $(ratio "${clean[with_fixture]}" "${clean[with_rstest]}") clean, $(ratio "${incremental[with_fixture]}" "${incremental[with_rstest]}") incremental"
echo "testrig / plain:  $(ratio "${clean[with_fixture]}" "${clean[plain_tests]}") clean, $(ratio "${incremental[with_fixture]}" "${incremental[plain_tests]}") incremental"
echo "testrig on rstest's source (with_ported) / rstest: $(ratio "${clean[with_ported]}" "${clean[with_rstest]}") clean, $(ratio "${incremental[with_ported]}" "${incremental[with_rstest]}") incremental"
echo
echo "| 1,000 cases (#[values] 10 x 10 x 10, 1 fixture) | clean build of the test crate (median of $runs) | rebuild after touching the test (median of $runs) |"
echo "|---|---|---|"
echo "| #[testrig::test] + #[values] | ${clean[cases_fixture]} ms | ${incremental[cases_fixture]} ms |"
echo "| rstest + #[values] | ${clean[cases_rstest]} ms | ${incremental[cases_rstest]} ms |"
echo "| 1,000 plain #[test] calling one function | ${clean[cases_plain]} ms | ${incremental[cases_plain]} ms |"
echo "| #[testrig::test] on rstest's source | ${clean[cases_ported]} ms | ${incremental[cases_ported]} ms |"
echo
echo "testrig / rstest (1,000 cases): $(ratio "${clean[cases_fixture]}" "${clean[cases_rstest]}") clean, $(ratio "${incremental[cases_fixture]}" "${incremental[cases_rstest]}") incremental"
echo "testrig on rstest's source / rstest (1,000 cases): $(ratio "${clean[cases_ported]}" "${clean[cases_rstest]}") clean, $(ratio "${incremental[cases_ported]}" "${incremental[cases_rstest]}") incremental"
summary_row "6. clean build, 200 tests with 3 fixtures" "${clean[with_fixture]} ms" \
  "${clean[with_rstest]} ms (rstest), ${clean[plain_tests]} ms (plain)" \
  "$(ratio "${clean[with_fixture]}" "${clean[with_rstest]}") rstest, $(ratio "${clean[with_fixture]}" "${clean[plain_tests]}") plain" \
  "≤ 1.0x rstest, ≤ 1.3x plain"
summary_row "6. rebuild after touching one of the 200 tests" "${incremental[with_fixture]} ms" \
  "${incremental[with_rstest]} ms (rstest)" "$(ratio "${incremental[with_fixture]}" "${incremental[with_rstest]}") rstest" "-"
summary_row "6. clean build, 1,000 #[values] cases" "${clean[cases_fixture]} ms" "${clean[cases_rstest]} ms (rstest)" \
  "$(ratio "${clean[cases_fixture]}" "${clean[cases_rstest]}") rstest" "faster than rstest"
