#!/usr/bin/env bash
# Talks to trendgraph's MCP server with the TypeScript SDK's client: trendgraph mcp over stdio
# (on a database of its own) and /mcp of BINARY served with --require-auth.
# Usage: tests/mcp/run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
seed="$here/../../../shared/seed/backend-development-trends-2026.txt"
with_source=(--source "$seed")
if [ ! -f "$seed" ]; then
  echo "tests/mcp: no source text at $seed: the passage checks are skipped"
  seed=- with_source=()
fi
source "$here/../serve-for-test.sh" "$1" --tokens-file "$here/tokens.txt" --require-auth "${with_source[@]}"
# trendgraph mcp opens its database read-only: it gets one of its own, as an assistant's would.
"$bin" import --db "$work/mcp.db" >/dev/null 2>&1
node "$here/client.mjs" "$bin" "$work/mcp.db" "$seed" "http://$addr/mcp" mcp-test-reader mcp-test-writer
