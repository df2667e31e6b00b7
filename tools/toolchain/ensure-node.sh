#!/usr/bin/env bash
# Prints the bin directory of the project's pinned Node.js LTS, installing it first.
#
# Why: the machine's Node 20 is end of life and the current majors of vitest,
# tsup, changesets and verdaccio need Node >= 22. The npm registry ships official
# Node builds as node-linux-<arch> packages, so the same registry that serves our
# dependencies serves the runtime too (air-gapped mirrors included), with no
# download from anywhere else. The tarball is checked against node.lock.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no pinned Node.js for $(uname -m)" >&2; exit 1 ;;
esac
read -r _ version integrity < <(grep "^$arch " "$here/node.lock")
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}
dest="$cache/node/$version-$arch"
if [ ! -x "$dest/bin/node" ]; then
  mkdir -p "$cache/node"
  exec 9>"$cache/node/.lock"
  flock 9
  if [ ! -x "$dest/bin/node" ]; then
    echo "ensure-node: installing Node.js $version ($arch) from the npm registry" >&2
    tmp=$(mktemp -d "$cache/node/.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    got=$(npm pack "node-linux-$arch@$version" --pack-destination "$tmp" --json --loglevel=error |
      sed -n 's/.*"integrity": *"\([^"]*\)".*/\1/p' | head -n1)
    if [ "$got" != "$integrity" ]; then
      echo "ensure-node: integrity mismatch for node-linux-$arch@$version: got '$got', want '$integrity'" >&2
      exit 1
    fi
    tar xzf "$tmp"/*.tgz -C "$tmp"
    rm -rf "$dest"
    mv "$tmp/package" "$dest"
  fi
fi
echo "$dest/bin"
