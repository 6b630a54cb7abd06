#!/usr/bin/env bash
# A CI deploy recipe for anyvpc stacks (copy it into your repository): `pulumi preview` for a
# change, `pulumi up` on merge, without prompts, with every credential taken from the environment
# and the allocation ledger in a shared PostgreSQL database. See examples/ci/README.md.
#
# Usage: ci-deploy.sh preview|up [--stack NAME] [--cwd DIR] [--config-file FILE] [-- PULUMI-ARGS...]
#
#   preview             `pulumi preview --diff`; with ANYVPC_PREVIEW_OUT=FILE its output is also
#                       written to FILE (for a CI to post on the change).
#   up                  `pulumi up --yes` (which previews first; --skip-preview is refused).
#   --stack NAME        the stack (default: $ANYVPC_STACK); it must exist in the backend.
#   --cwd DIR           the Pulumi project directory, holding Pulumi.yaml (default: .).
#   --config-file FILE  the stack's config file (default: DIR/Pulumi.<stack>.yaml). It is never
#                       modified: the ledger URL is set into a private temporary copy.
#   -- PULUMI-ARGS      passed on to pulumi as they are (e.g. --refresh, --target URN).
#
# Environment (required unless marked optional):
#   PULUMI_BACKEND_URL          the state backend (s3://..., azblob://..., gs://..., file://...).
#   PULUMI_CONFIG_PASSPHRASE    the passphrase of the stack's encrypted config secrets (switch
#   or PULUMI_CONFIG_PASSPHRASE_FILE    passwords, ...); one of the two, not empty.
#   ANYVPC_LEDGER_URL           postgres://user:password@host:port/db, the shared ledger; set as
#                               the secret anyvpc:fabric.ledger.url for this run only.
#   METAL_AUTH_TOKEN            optional: the Equinix Metal API token, for Metal sites whose token
#                               is not a secret in the stack config. The provider reads it itself.
#   ANYVPC_PREVIEW_OUT          optional: a file to write the preview's output to.
#
# Exit status: pulumi's own when it fails; 2 for a usage or environment error (nothing was run).
# Nothing secret is printed: values are never put on a command line, and tracing stays off.
set -euo pipefail
set +x # even under `bash -x`: a trace would show the ledger URL on its way into the config

log() { printf '[ci-deploy] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 2
}
usage() { sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

[ $# -ge 1 ] || {
  usage >&2
  exit 2
}
action="$1"
shift
case "$action" in
  preview | up) ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) die "unknown action '$action': use preview or up" ;;
esac

stack="${ANYVPC_STACK:-}"
cwd="."
config_file=""
extra=()
set_option() {
  case "$1" in
    --stack) stack="$2" ;;
    --cwd) cwd="$2" ;;
    --config-file) config_file="$2" ;;
  esac
}
while [ $# -gt 0 ]; do
  case "$1" in
    --stack | --cwd | --config-file)
      [ $# -ge 2 ] || die "$1 needs a value"
      set_option "$1" "$2"
      shift 2
      ;;
    --stack=* | --cwd=* | --config-file=*)
      set_option "${1%%=*}" "${1#*=}"
      shift
      ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    *) die "unknown option '$1' (pulumi's own options go after --)" ;;
  esac
done
for arg in ${extra[@]+"${extra[@]}"}; do
  case "$arg" in
    --skip-preview | --skip-preview=* | -f) die "$arg is refused: a deploy always previews first" ;;
    --stack | --stack=* | -s | --cwd | --cwd=* | -C | --config-file | --config-file=*)
      die "give $arg to ci-deploy.sh itself, before --"
      ;;
  esac
done

# The environment. Every problem is reported at once, each naming its variable, never its value.
missing=()
[ -n "${PULUMI_BACKEND_URL:-}" ] || missing+=("PULUMI_BACKEND_URL is not set (the Pulumi state backend, e.g. s3://bucket/prefix)")
if [ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
  :
elif [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  [ -f "$PULUMI_CONFIG_PASSPHRASE_FILE" ] && [ -r "$PULUMI_CONFIG_PASSPHRASE_FILE" ] ||
    missing+=("PULUMI_CONFIG_PASSPHRASE_FILE does not name a readable file")
else
  missing+=("PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is not set (it decrypts the stack's config secrets)")
fi
if [ -z "${ANYVPC_LEDGER_URL:-}" ]; then
  missing+=("ANYVPC_LEDGER_URL is not set (the shared PostgreSQL ledger, postgres://user:password@host:port/db)")
else
  case "$ANYVPC_LEDGER_URL" in
    postgres://* | postgresql://*) ;;
    # Checked here so that the provider's own validation never prints the value (and password).
    *) missing+=("ANYVPC_LEDGER_URL is not a postgres:// or postgresql:// URL") ;;
  esac
fi
[ -n "$stack" ] || missing+=("no stack: pass --stack NAME or set ANYVPC_STACK")
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do log "error: $m"; done
  log "nothing was run"
  exit 2
fi

command -v pulumi >/dev/null 2>&1 || die "no 'pulumi' on PATH: install the Pulumi CLI first"
[ -d "$cwd" ] || die "--cwd $cwd is not a directory"
cwd="$(cd "$cwd" && pwd)"
[ -f "$cwd/Pulumi.yaml" ] || [ -f "$cwd/Pulumi.yml" ] || die "no Pulumi.yaml in $cwd (pass the project directory with --cwd)"
if [ -z "$config_file" ]; then
  config_file="$cwd/Pulumi.${stack##*/}.yaml"
elif [ "${config_file#/}" = "$config_file" ]; then
  config_file="$PWD/$config_file"
fi

# Prompts are off anyway with --non-interactive; the update check is an outbound call CI needs not.
export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"

# The stack config is copied, and the ledger URL set into the copy only: the repository's file
# stays as committed, and the URL exists on disk only encrypted, in a 0700 directory removed on
# exit.
umask 077
tmp="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/anyvpc-ci.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
run_config="$tmp/Pulumi.${stack##*/}.yaml"
if [ -f "$config_file" ]; then
  cp "$config_file" "$run_config"
else
  log "no stack config file $config_file: starting from an empty one"
  : >"$run_config"
fi
stack_args=(--stack "$stack" --config-file "$run_config" --cwd "$cwd" --non-interactive)

# The value goes in on stdin, never on a command line (where ps and traces would show it).
status=0
printf '%s' "$ANYVPC_LEDGER_URL" |
  pulumi config set --secret --path anyvpc:fabric.ledger.url "${stack_args[@]}" >/dev/null || status=$?
if [ "$status" -ne 0 ]; then
  log "error: could not set anyvpc:fabric.ledger.url as a secret of stack $stack (pulumi exited $status)."
  log "is the stack initialized in this backend, and is the passphrase the one it was created with?"
  exit "$status"
fi

log "pulumi $action of stack $stack in $cwd (backend: ${PULUMI_BACKEND_URL%%://*}://...)"
case "$action" in
  preview)
    cmd=(pulumi preview --diff "${stack_args[@]}" ${extra[@]+"${extra[@]}"})
    if [ -n "${ANYVPC_PREVIEW_OUT:-}" ]; then
      (umask 022 && : >"$ANYVPC_PREVIEW_OUT") || die "cannot write ANYVPC_PREVIEW_OUT ($ANYVPC_PREVIEW_OUT)"
      set +e
      "${cmd[@]}" --color never </dev/null | tee "$ANYVPC_PREVIEW_OUT"
      pipe=("${PIPESTATUS[@]}")
      set -e
      status="${pipe[0]}"
      [ "$status" -ne 0 ] || [ "${pipe[1]}" -eq 0 ] || die "could not write ANYVPC_PREVIEW_OUT ($ANYVPC_PREVIEW_OUT)"
    else
      "${cmd[@]}" </dev/null || status=$?
    fi
    ;;
  up)
    pulumi up --yes "${stack_args[@]}" ${extra[@]+"${extra[@]}"} </dev/null || status=$?
    ;;
esac
if [ "$status" -ne 0 ]; then
  log "pulumi $action of stack $stack failed (exit $status)"
  exit "$status"
fi
log "pulumi $action of stack $stack done"
