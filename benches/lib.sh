# Helpers shared by the comparison scripts (sourced, not run).

# The path of a test target's binary, built in release mode.
test_binary() {
  cargo test -p testrig-benches --release --no-run --message-format=json --test "$1" 2>/dev/null \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1
}

# Wall time of a command in milliseconds; stops the script, showing its output, if it fails.
time_ms() {
  local start end out
  out=$(mktemp)
  start=$(date +%s%N)
  if ! "$@" >"$out" 2>&1; then echo "failed: $*" >&2; tail -20 "$out" >&2; rm -f "$out"; exit 1; fi
  end=$(date +%s%N)
  rm -f "$out"
  echo $(( (end - start) / 1000000 ))
}

# One row of compare.sh's table: comparison, fixture's number, the peer's, the result, the
# goal. Written only when compare.sh runs the script (it sets TESTRIG_BENCH_SUMMARY).
summary_row() {
  if [ -n "${TESTRIG_BENCH_SUMMARY:-}" ]; then
    printf '| %s | %s | %s | %s | %s |\n' "$@" >> "$TESTRIG_BENCH_SUMMARY"
  fi
}

# A test crate outside the workspace under $work: its manifest with one dependency line and
# an empty library; the caller writes tests/suite.rs.
make_crate_dir() { # name dependency-line
  local dir="$work/$1"
  mkdir -p "$dir/src" "$dir/tests"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n[dev-dependencies]\n%s\n' \
    "$1" "$2" > "$dir/Cargo.toml"
  echo "" > "$dir/src/lib.rs"
}
