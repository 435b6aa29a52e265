#!/usr/bin/env bash
# Brings a fresh Debian machine to the point where mpvstream builds and runs: Node.js check, the
# OS programs (ffmpeg, ffprobe, mpv, nginx) and the npm dependencies. With --dev (what
# `npm run check` uses), also what only the tests and benchmarks need: chromium (a real browser for
# the admin dashboard's tests) and wrk (HTTP load for the benchmarks).
# Idempotent: when everything is present it only checks, in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=
case "${1-}" in
  --dev) dev=1 ;;
  "") ;;
  *) printf 'usage: scripts/setup.sh [--dev]\n' >&2; exit 2 ;;
esac

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Node.js: the packages target >= 20.19 (require(esm), Vite 7+).
command -v node >/dev/null || die "Node.js is not installed. Install Node.js 20.19 or newer (https://nodejs.org), then run this again."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node.js $(node -v) is too old: mpvstream needs 20.19 or newer."

# OS programs, from Debian's packages.
missing_pkgs=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing_pkgs+=(ffmpeg)
command -v mpv >/dev/null || missing_pkgs+=(mpv)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing_pkgs+=(nginx)
if [ -n "$dev" ]; then
  command -v wrk >/dev/null || missing_pkgs+=(wrk)
  command -v chromium >/dev/null || missing_pkgs+=(chromium)
fi
if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing_pkgs[*]} from the OS packages (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
    say "installed ${missing_pkgs[*]}"
  else
    die "missing programs: ${missing_pkgs[*]}. Install them with: sudo apt-get install ${missing_pkgs[*]} (or your OS's packages of the same names), then run this again."
  fi
fi

# npm dependencies: install when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready: node $(node -v | tr -d v), $(ffmpeg -version | head -n1 | cut -d' ' -f1-3), $(mpv --version | head -n1 | cut -d' ' -f1-2)"
