#!/usr/bin/env bash
# After a `cargo nextest run`: its run fixtures' keepers tear down once the runner has exited
# (README "Once per run"). Waits for them (at most 90 s: the grace is 30 s, a teardown's limit
# 60 s), then fails if a keeper is still running, a run's files are left in the temp dir, or a
# throwaway PostgreSQL server (its directory, its processes) is left.
set -uo pipefail
runs="${TMPDIR:-/tmp}"
keepers() {
  # A keeper is a process started with TESTRIG_RUN_KEEPER in its environment.
  grep -lsa 'TESTRIG_RUN_KEEPER=' /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | while read -r pid; do
    [ "$pid" != "$$" ] && [ -e "/proc/$pid" ] && ! grep -qs '^State:.*Z' "/proc/$pid/status" && echo "$pid"
  done
}
servers() {
  # A throwaway server's processes (postgres, initdb) run with its directory (testrig-pg-..)
  # on their command line.
  grep -lsa 'testrig-pg-' /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 | while read -r pid; do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null)
    case "$comm" in postgres|initdb) ! grep -qs '^State:.*Z' "/proc/$pid/status" && echo "$pid" ;; esac
  done
}
for _ in $(seq 900); do
  left_files=$(find "$runs" /tmp -maxdepth 1 \( -name 'testrig-run-*' -o -name 'testrig-pg-*' \) 2>/dev/null)
  # shellcheck disable=SC2046
  left_keepers=$(echo $(keepers) $(servers))
  if [ -z "$left_files" ] && [ -z "$left_keepers" ]; then
    echo "no keeper running, no run's files left"
    exit 0
  fi
  sleep 0.1
done
echo "left after 90 s: keepers [$left_keepers], files [$left_files]" >&2
for dir in $left_files; do find "$dir" -name keeper.log -exec tail -20 {} \; >&2; done
exit 1
