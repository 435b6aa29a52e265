#!/usr/bin/env bash
# Runs every example against the built packages, the way a user of the published packages would.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for example in examples/*/index.ts; do
  printf -- '-- %s\n' "$example"
  node_modules/.bin/tsx "$example"
done
