#!/usr/bin/env bash
# Composes trendgraph (BINARY, started here) with a tiny teams subgraph using Apollo's
# composition and queries both through an Apollo gateway. Usage: tests/federation/run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
source "$here/../serve-for-test.sh" "$1"
node "$here/federate.mjs" "http://$addr/graphql"
