#!/usr/bin/env bash
# The README's quick start: installs what is missing (npm packages, the Pulumi CLI), then runs a
# real `pulumi up` of examples/quickstart and prints the plan. `scripts/quickstart.sh destroy`
# (or refresh, preview) acts on the same stack later.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d node_modules/@pulumi/pulumi ] || npm ci
[ -x .tools/pulumi/bin/pulumi ] || bash scripts/setup-pulumi.sh
npm run --silent build
exec npx --no-install tsx scripts/quickstart.ts "${1:-up}"
