#!/usr/bin/env bash
# Runs the graphql-http audit against BINARY. Usage: tests/conformance/run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
source "$here/../serve-for-test.sh"
node "$here/audit.mjs" "http://$addr/graphql"
