#!/usr/bin/env bash
# npm start: set up what is missing, build, and run the reference server on its embedded
# defaults (PGlite in ./data, in-memory limiter, the live demo stream).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "start: building..." >&2
npm run build --silent >/dev/null
# The apps' bins (mpvstream, mpvstream-server) exist only after the build: link them now so
# that `npx mpvstream` works from this directory.
npm rebuild @mpvstream/reference-player @mpvstream/reference-server --ignore-scripts >/dev/null
export MPVSTREAM_DEMO="${MPVSTREAM_DEMO:-1}"
exec node reference-server/dist/cli.js start "$@"
