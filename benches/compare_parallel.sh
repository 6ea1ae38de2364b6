#!/usr/bin/env bash
# 200 configuration-override tests: `#[conf]` (parallel) vs serial_test's `#[serial]` on a
# global config. Builds both test binaries, runs each 5 times alternately, prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
cargo test -p testrig-benches --release --no-run --test parallel_testrig_conf --test parallel_serial_conf >/dev/null 2>&1
fixture_bin=$(test_binary parallel_testrig_conf)
serial_bin=$(test_binary parallel_serial_conf)
median() { sort -n | sed -n 3p; }
f=(); s=()
for _ in 1 2 3 4 5; do f+=("$(time_ms "$fixture_bin" -q)"); s+=("$(time_ms "$serial_bin" -q)"); done
fm=$(printf '%s\n' "${f[@]}" | median); sm=$(printf '%s\n' "${s[@]}" | median)
echo "threads: $(nproc)   runs: ${f[*]} (fixture) / ${s[*]} (serial_test)"
printf '| 200 conf-override tests | wall time (median of 5) |\n|---|---|\n'
printf '| #[conf] (parallel) | %s ms |\n| #[serial] + global config | %s ms |\n' "$fm" "$sm"
awk -v a="$sm" -v b="$fm" 'BEGIN { printf "speedup: %.2fx\n", a / b }'
summary_row "3. 200 conf-override tests, 2 threads" "$fm ms (#[conf], parallel)" "$sm ms (serial_test #[serial])" \
  "$(awk -v a="$sm" -v b="$fm" 'BEGIN { printf "%.2fx faster", a / b }')" "≥ 1.8x"
