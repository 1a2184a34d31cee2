#!/usr/bin/env bash
# Runs the browser tests against BINARY: the playground (playground.mjs), then the pictures and
# pages (pages.mjs) against a server that requires a token. Usage: tests/browser/run.sh BINARY.
# Needs Debian's chromium (installed by .ci/run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
# The explorer's Cytoscape.js is embedded in the binary as npm ships it: the copy must be the
# pinned package's (make assets copies it).
if ! cmp -s "$here/node_modules/cytoscape/dist/cytoscape.min.js" "$here/../../server/assets/cytoscape.min.js"; then
  echo "server/assets/cytoscape.min.js is not the cytoscape of tests/browser/package.json: run make assets"; exit 1
fi
mkdir -p "$here/out"
bin=$1
seed="$here/../../../shared/seed"
(
  if [ -d "$seed" ]; then
    source "$here/../serve-for-test.sh" "$bin" --source "$seed"
  else
    echo "tests/browser: no source text at $seed: the excerpt checks are skipped"
    source "$here/../serve-for-test.sh" "$bin"
    export NO_SOURCE=1
  fi
  node "$here/playground.mjs" "http://$addr/" "$here/out/playground.png"
)
(
  source "$here/../serve-for-test.sh" "$bin" --trusted-only --trusted-documents "$here/../../examples/tsclient/src/gql/persisted-documents.json"
  node "$here/playground.mjs" "http://$addr/" "$here/out/playground-trusted-only.png" --trusted-only
)
(
  token=browser-test-token
  export TRENDGRAPH_TOKENS=$token
  with_source=(--source "$seed")
  if [ ! -d "$seed" ]; then
    echo "tests/browser: no source text at $seed: the excerpt checks are skipped"
    with_source=()
  fi
  source "$here/../serve-for-test.sh" "$bin" --require-auth "${with_source[@]}"
  node "$here/pages.mjs" "http://$addr/" "$token" "$here/out" "${#with_source[@]}"
)
