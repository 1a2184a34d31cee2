#!/usr/bin/env bash
# Follows the change feed with the graphql-ws and graphql-sse clients against BINARY, run with
# --require-auth and a write token. Usage: tests/subscriptions/run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
source "$here/../serve-for-test.sh" "$1" --tokens-file "$here/tokens.txt" --require-auth
node "$here/follow.mjs" "http://$addr/graphql" "subscriptions-test-secret"
