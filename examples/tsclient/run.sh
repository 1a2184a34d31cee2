#!/usr/bin/env bash
# Regenerates the TypeScript client from the committed schema (it must match what is committed),
# type-checks it with tsc, and runs it with Node against BINARY: once normally, once in
# trusted-documents mode with the client's own persisted-documents manifest as the allowlist.
# Usage: examples/tsclient/run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")
cd "$here"
npm ci --no-audit --no-fund --silent
npx graphql-codegen --config codegen.yml --silent
if ! git diff --quiet -- src/gql || [ -n "$(git ls-files --others --exclude-standard -- src/gql)" ]; then
  echo "examples/tsclient/src/gql is out of date with schema.graphqls: run 'npm run codegen' there and commit:"
  git status --short -- src/gql; exit 1
fi
npx tsc -p tsconfig.json
(
  source "$here/../../tests/serve-for-test.sh" "$bin"
  node dist/main.js "http://$addr/graphql" query
  node dist/main.js "http://$addr/graphql" apq
)
(
  source "$here/../../tests/serve-for-test.sh" "$bin" --trusted-documents "$here/src/gql/persisted-documents.json" --trusted-only
  node dist/trusted.js "http://$addr/graphql"
)
