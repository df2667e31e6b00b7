#!/usr/bin/env bash
# The project's front door. On a fresh machine it installs what the project
# needs (the pinned Node.js, the npm dependencies), then runs one root npm
# script with that Node first on PATH:
#   tools/run.sh demo    start the demo: management plane, Cluster API, DCS, UI
#   tools/run.sh test    run every test
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ $# -eq 0 ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

node_bin=$(bash tools/toolchain/ensure-node.sh)
export PATH="$node_bin:$PATH"

# Reinstall only when the lockfile or the Node version changed.
want="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
stamp=node_modules/.iinfra-install-stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "run: installing npm dependencies" >&2
  # Not `npm ci`: this npm writes lockfiles without other platforms' optional
  # packages and then its own `ci` rejects them as out of sync. `install` on an
  # up-to-date lockfile installs exactly what it pins; CI checks it stayed put.
  npm install --no-audit --no-fund --loglevel=error
  if [ "${CI:-}" = true ] && ! git diff --quiet -- package-lock.json 2>/dev/null; then
    echo "run: package-lock.json is out of date with package.json; run npm install and commit it" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi

# `--` so options after the script name reach the script (`tools/run.sh demo --help`), not npm.
script=$1
shift
exec npm run --silent "$script" -- "$@"
