#!/usr/bin/env bash
# Whole-suite wall time of the mini cloud's tests (examples/minicloud): `cargo test` (threads
# in one process) vs `cargo nextest run` (a process per test). Warm build, 3 alternating runs
# each, median; SQLite unless TESTRIG_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib.sh
if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "cargo-nextest is not installed (cargo install --locked cargo-nextest)" >&2
  exit 1
fi
cargo test -p minicloud --no-run >/dev/null 2>&1
cargo nextest list -p minicloud >/dev/null 2>&1
median() { sort -n | sed -n 2p; }
t=(); n=()
for _ in 1 2 3; do
  t+=("$(time_ms cargo test -q -p minicloud)")
  n+=("$(time_ms cargo nextest run -p minicloud)")
done
tm=$(printf '%s\n' "${t[@]}" | median); nm=$(printf '%s\n' "${n[@]}" | median)
echo "runs: ${t[*]} (cargo test) / ${n[*]} (nextest)"
printf '| mini-cloud suite | wall time (median of 3) |\n|---|---|\n'
printf '| cargo test -p minicloud | %s ms |\n| cargo nextest run -p minicloud | %s ms |\n' "$tm" "$nm"
summary_row "7. mini-cloud suite, warm" "$tm ms (cargo test)" "$nm ms (cargo nextest run)" \
  "$(awk -v a="$nm" -v b="$tm" 'BEGIN { printf "nextest %.2fx the time", a / b }')" "-"
