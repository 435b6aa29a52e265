#!/usr/bin/env bash
# The whole test run, as CI runs it: set-up, build, typecheck, lint, tests (PostgreSQL and
# Redis included), the TypeDoc site with warnings as errors, publint and attw on every package.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "set-up"
bash scripts/setup.sh --dev

# The PostgreSQL and Redis tests run against these unless the caller points elsewhere.
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
node scripts/wait-services.mjs

step "build"
npm run build --silent
step "typecheck"
npm run typecheck --silent
step "lint"
npm run lint --silent
step "test"
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
node scripts/no-skipped.mjs "$report"
step "docs"
npm run docs --silent
step "packages (publint, attw)"
bash scripts/check-packages.sh
step "examples"
bash scripts/run-examples.sh
printf '\nall checks passed\n'
