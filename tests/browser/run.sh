#!/usr/bin/env bash
# Runs the playground browser test against BINARY. Usage: tests/browser/run.sh BINARY.
# Needs Debian's chromium (installed by .ci/run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
source "$here/../serve-for-test.sh"
mkdir -p "$here/out"
node "$here/playground.mjs" "http://$addr/" "$here/out/playground.png"
