#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing: PostgreSQL (the ledger's second engine),
# openssl (the NVUE TLS test makes a throwaway certificate), bird2 (the load balancer's speaker
# configuration is checked by BIRD's own parser) and netplan.io (attachments' host configs are
# checked by netplan generate). Idempotent.
set -euo pipefail
log() { printf '[setup-debian] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v bird >/dev/null 2>&1 || [ -x /usr/sbin/bird ] || missing+=(bird2)
command -v netplan >/dev/null 2>&1 || [ -x /usr/sbin/netplan ] || missing+=(netplan.io)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "postgresql, openssl, bird2 and netplan.io are installed"
fi
