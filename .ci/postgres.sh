#!/usr/bin/env bash
# Installs (if needed) and starts a PostgreSQL server on loopback with a role for the tests,
# then prints the TESTRIG_DATABASE_URL to use. Idempotent: safe to run again.
set -euo pipefail

bash "$(dirname "$0")/install_postgres.sh"

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')

for _ in $(seq 1 30); do
  if su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

password="testrig-ci-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
su postgres -c "psql -p $port -qAt" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'testrig') THEN
    CREATE ROLE testrig LOGIN CREATEDB;
  END IF;
END \$\$;
ALTER ROLE testrig PASSWORD '$password';
-- A second CREATEDB role on the same server (same password): the suite checks it gets
-- templates of its own instead of "permission denied to copy database".
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'testrig_second') THEN
    CREATE ROLE testrig_second LOGIN CREATEDB;
  END IF;
END \$\$;
ALTER ROLE testrig_second PASSWORD '$password';
GRANT CREATE ON DATABASE postgres TO testrig_second;
-- #[sqlx::test] (the benchmark's peer) keeps its bookkeeping in a schema of this database.
GRANT CREATE ON DATABASE postgres TO testrig;
SQL
echo "postgres://testrig:${password}@127.0.0.1:${port}/postgres"
