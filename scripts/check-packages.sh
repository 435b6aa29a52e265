#!/usr/bin/env bash
# publint --strict and attw (ESM-only profile) on the packed tarball of every published package.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/node_modules/.bin"
for dir in packages/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  printf -- '-- %s\n' "$name"
  (cd "$dir" && "$bin/publint" --strict --level suggestion && "$bin/attw" --pack --profile esm-only --format ascii .)
done
