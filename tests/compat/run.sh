#!/usr/bin/env bash
# Fails on a breaking change of schema.graphqls against the committed baseline, unless what was
# removed or changed had been deprecated first (README: "Schema compatibility").
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
npx graphql-inspector diff baseline.graphqls ../../schema.graphqls --rule suppressRemovalOfDeprecatedField
node selftest.mjs
