#!/usr/bin/env bash
# Installs PostgreSQL's packages if its server binaries are not there. Starts nothing: with
# no TESTRIG_DATABASE_URL the suite's PostgreSQL tests then run on throwaway servers.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
