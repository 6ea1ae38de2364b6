#!/usr/bin/env bash
# Every comparison of BENCHMARKS.md in one run, then one table of the results: the criterion
# benches (stack overhead, CONF.get, log capture) and the scripts (parallel conf vs
# serial_test, databases vs sqlx::test, build time vs rstest and plain tests, suite time
# under cargo test vs nextest). PostgreSQL rows need TESTRIG_DATABASE_URL. Each part's own
# output is kept in target/compare/<part>.txt. Takes 15-25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
out=target/compare
mkdir -p "$out"
export TESTRIG_BENCH_SUMMARY="$out/summary.md"
: > "$TESTRIG_BENCH_SUMMARY"

# A criterion result as nanoseconds: the middle of `time: [low estimate high]` after `name`.
criterion_ns() { # output-file name
  awk -v name="$2" '
    index($0, name) { found = 1 }
    found && /time:/ {
      sub(/.*time: *\[/, ""); split($0, v, " ")
      scale = (v[4] == "ps") ? 0.001 : (v[4] == "ns") ? 1 : (v[4] == "µs" || v[4] == "us") ? 1000 : (v[4] == "ms") ? 1e6 : 1e9
      printf "%.1f", v[3] * scale; exit
    }' "$1"
}
human() { awk -v ns="$1" 'BEGIN { if (ns < 1000) printf "%.1f ns", ns; else if (ns < 1e6) printf "%.2f µs", ns / 1000; else printf "%.1f ms", ns / 1e6 }'; }
run() { # part command...
  echo "== $1"
  "${@:2}" 2>&1 | tee "$out/$1.txt"
}

run stack_overhead cargo bench -q -p testrig-benches --bench stack_overhead
hand=$(criterion_ns "$out/stack_overhead.txt" "hand-written setup/teardown")
five=$(criterion_ns "$out/stack_overhead.txt" "with a 5-fixture stack")
summary_row "1. per-test overhead, 5-fixture stack" "$(human "$five")" "$(human "$hand") (hand-written)" \
  "+$(human "$(awk -v a="$five" -v b="$hand" 'BEGIN { print a - b }')") per test" "< 2 µs (≤ 1.05x: see §1)"

run conf_get cargo bench -q -p testrig-benches --bench conf_get
summary_row "2. CONF.get()" "$(human "$(criterion_ns "$out/conf_get.txt" "no test overrides it")") to $(human "$(criterion_ns "$out/conf_get.txt" "two active overrides")")" \
  "-" "-" "-"

run parallel bash benches/compare_parallel.sh
run db bash benches/compare_db.sh
if command -v cargo-nextest >/dev/null 2>&1; then
  run nextest bash benches/compare_nextest.sh
fi

run log_capture cargo bench -q -p testrig-benches --bench log_capture
ours=$(criterion_ns "$out/log_capture.txt" "#[capture_logs]")
peer=$(criterion_ns "$out/log_capture.txt" "tracing-test #[traced_test]")
summary_row "5. log capture, 10,000 events" "$(human "$ours")" "$(human "$peer") (tracing-test)" \
  "$(awk -v a="$peer" -v b="$ours" 'BEGIN { printf "%.1fx faster", a / b }')" "faster"
records=$(criterion_ns "$out/log_capture.txt" "#[capture_logs], log records")
summary_row "5. the same as log records" "$(human "$records")" "- (tracing-test captures no log records)" \
  "$(awk -v a="$peer" -v b="$records" 'BEGIN { printf "%.1fx the events row of tracing-test", a / b }')" "≥ 10x"

run lean bash benches/compare_lean.sh
run build bash benches/compare_build.sh
run suite bash benches/compare_suite.sh

echo
echo "== summary ($(nproc) cores, $(rustc --version))"
echo "| comparison | testrig | peer | result | goal |"
echo "|---|---|---|---|---|"
cat "$TESTRIG_BENCH_SUMMARY"
