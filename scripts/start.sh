#!/usr/bin/env bash
# npm start: set up what is missing, build, and run the reference server on its embedded
# defaults (PGlite in ./data, in-memory limiter, the live demo stream).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent >/dev/null
export MPVSTREAM_DEMO="${MPVSTREAM_DEMO:-1}"
exec node reference-server/dist/cli.js start "$@"
