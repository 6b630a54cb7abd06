#!/usr/bin/env bash
# Installs the Pulumi CLI and the Node.js language host that anyvpc's examples and e2e tests run.
#
# Order of preference:
#   1. a `pulumi` already on PATH (with pulumi-language-nodejs beside it or on PATH);
#   2. a CLI this script built before, cached outside the clone under
#      ${ANYVPC_CACHE:-$HOME/.cache/anyvpc}/pulumi-<version>, so a fresh clone reuses it;
#   3. a build from Go modules (recipe in DESIGN.md §8): a throwaway module that requires pkg and
#      sdk at the same version; the Node language host is built from scripts/pulumi-language-nodejs.
# The result is linked into .tools/pulumi/bin (git-ignored) together with the dynamic-provider
# launcher `pulumi-resource-pulumi-nodejs`, which ships inside the @pulumi/pulumi npm package.
# Idempotent: a second run only checks and re-links.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-3.248.0}"
CLIPBOARD_REPLACE="github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/pulumi/bin"
cache="${ANYVPC_CACHE:-$HOME/.cache/anyvpc}/pulumi-$PULUMI_VERSION"
log() { printf '[setup-pulumi] %s\n' "$*"; }

launcher_src="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

link_launcher() {
  if [ ! -f "$launcher_src" ]; then
    log "error: $launcher_src is missing; run 'npm ci' first"
    exit 1
  fi
  chmod +x "$launcher_src"
  ln -sfn "$launcher_src" "$tools/pulumi-resource-pulumi-nodejs"
}

mkdir -p "$tools"

# 1. A CLI on PATH (other than our own link) wins.
if [ -z "${ANYVPC_BUILD_PULUMI:-}" ]; then
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$tools" | paste -sd:)" command -v pulumi || true)"
  if [ -n "$found" ]; then
    host="$(dirname "$(readlink -f "$found")")/pulumi-language-nodejs"
    [ -x "$host" ] || host="$(command -v pulumi-language-nodejs || true)"
    if [ -n "$host" ]; then
      log "using pulumi on PATH: $found ($("$found" version))"
      ln -sfn "$found" "$tools/pulumi"
      ln -sfn "$host" "$tools/pulumi-language-nodejs"
      # A PATH install finds its plugins itself; our launcher must be on PATH or beside it.
      link_launcher
      exit 0
    fi
    log "pulumi on PATH ($found) has no pulumi-language-nodejs beside it; building our own"
  fi
fi

# 2./3. The cached build, or build it now.
ensure_go() {
  command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
  if ! command -v go >/dev/null 2>&1; then
    log "error: no 'pulumi' on PATH and no Go toolchain to build one."
    log "Install the Pulumi CLI v$PULUMI_VERSION (https://www.pulumi.com/docs/install/) so that"
    log "'pulumi' and 'pulumi-language-nodejs' are on PATH, or install Go >= 1.25 and re-run."
    exit 1
  fi
}

if [ -x "$cache/bin/pulumi" ] && "$cache/bin/pulumi" version 2>/dev/null | grep -qx "v$PULUMI_VERSION"; then
  log "reusing cached Pulumi CLI v$PULUMI_VERSION from $cache (no rebuild)"
else
  ensure_go
  log "building the Pulumi CLI v$PULUMI_VERSION from Go modules with $(go version) (first build: several minutes)"
  work="$cache/src"
  rm -rf "$work" && mkdir -p "$work" "$cache/bin"
  (
    cd "$work"
    go mod init anyvpc.local/pulumi-cli >/dev/null 2>&1
    go mod edit -replace="github.com/atotto/clipboard=$CLIPBOARD_REPLACE"
    log "resolving modules"
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
    log "compiling pulumi"
    go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$cache/bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv "$cache/bin/pulumi.tmp" "$cache/bin/pulumi"
  )
  log "built: $("$cache/bin/pulumi" version)"
fi

# The Node language host. Upstream's module (github.com/pulumi/pulumi/sdk/nodejs/cmd/
# pulumi-language-nodejs/v3) is refused by the module proxy this project can reach (403 for every
# version), so we build our own small host from scripts/pulumi-language-nodejs; the cache key is
# a hash of its sources, so editing it rebuilds and an unchanged one is reused.
host_src="$root/scripts/pulumi-language-nodejs"
host_key="$(cat "$host_src/main.go" "$host_src/go.mod" "$host_src/go.sum" | sha256sum | cut -c1-16)"
host_bin="$cache/langhost-$host_key/pulumi-language-nodejs"
if [ -x "$host_bin" ]; then
  log "reusing cached Node language host $host_key (no rebuild)"
else
  ensure_go
  log "building the Node language host ($host_key)"
  mkdir -p "$(dirname "$host_bin")"
  (cd "$host_src" && go build -trimpath -ldflags "-X main.version=$PULUMI_VERSION" -o "$host_bin.tmp" . && mv "$host_bin.tmp" "$host_bin")
fi

# Hard links (or copies), not symlinks: the engine looks for plugins next to the *real* path of the
# running pulumi, so the CLI, the language host and the launcher must share one directory.
place() { rm -f "$2"; ln "$1" "$2" 2>/dev/null || cp "$1" "$2"; }
place "$cache/bin/pulumi" "$tools/pulumi"
place "$host_bin" "$tools/pulumi-language-nodejs"
link_launcher
log "ready: $tools"
