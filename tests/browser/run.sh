#!/usr/bin/env bash
# Starts the built binary on a free loopback port and runs the playground browser test.
# Usage: tests/browser/run.sh BINARY. Needs Debian's chromium (installed by .ci/run).
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$here" && npm ci --no-audit --no-fund --silent)
"$bin" serve --db "$work/kb.db" --addr 127.0.0.1:0 --access-log=false >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  addr=$(sed -n 's/.*msg=serving addr=\([^ ]*\).*/\1/p' "$work/log")
  [ -n "$addr" ] && break
  sleep 0.1
done
if [ -z "${addr:-}" ]; then
  echo "the server did not start:"; cat "$work/log"; exit 1
fi
mkdir -p "$here/out"
node "$here/playground.mjs" "http://$addr/" "$here/out/playground.png"
