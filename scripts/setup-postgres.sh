#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages (if missing, via setup-debian-packages.sh), starts the cluster, and creates the role
# and database the ledger tests use. Idempotent. Prints the connection URL and writes it to
# .state/postgres-url, where the tests read it (ANYVPC_TEST_PG_URL overrides).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[setup-postgres] %s\n' "$*"; }
DB_USER="${ANYVPC_PG_USER:-anyvpc}"
DB_PASS="${ANYVPC_PG_PASSWORD:-anyvpc-test}"
DB_NAME="${ANYVPC_PG_DB:-anyvpc_test}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

bash "$root/scripts/setup-debian-packages.sh"
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  log "creating cluster $version/main"
  as_root pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster "$version" main start
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.2; done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "error: PostgreSQL did not come up on port $port"; exit 1; }

psql_admin() { as_root runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
  log "creating role $DB_USER"
  psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN PASSWORD '$DB_PASS' CREATEDB"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
  log "creating database $DB_NAME"
  psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
fi
url="postgres://$DB_USER:$DB_PASS@127.0.0.1:$port/$DB_NAME"
mkdir -p "$root/.state"
printf '%s\n' "$url" > "$root/.state/postgres-url"
log "ready: PostgreSQL $version on 127.0.0.1:$port, database $DB_NAME"
