#!/usr/bin/env bash
# Makes go-containerregistry's crane available and prints where it is, as one
# JSON line on stdout (progress goes to stderr):
#   {"crane":..., "craneVersion":...}
#
# - crane is built from github.com/google/go-containerregistry/cmd/crane at the
#   release pinned in crane/go.mod (the tool directive makes go.sum pin its
#   whole dependency set), with -trimpath and the version ldflag, cached outside
#   the repository keyed by the version and a hash of go.mod, go.sum and the
#   ldflags, and reused by every later run (one builder at a time: flock).
# - CRANE_BIN, when set, is used as it is and nothing is built.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}/images
mkdir -p "$cache"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

say() { echo "images: $*" >&2; }
required_version() { awk -v m="$1" '$1 == "require" && $2 == m { print $3; exit } $1 == m { print $2; exit }' "$2"; }

crane_version=$(required_version github.com/google/go-containerregistry "$here/crane/go.mod")
[ -n "$crane_version" ] || { say "could not read the pinned go-containerregistry version from crane/go.mod"; exit 1; }

if [ -n "${CRANE_BIN:-}" ]; then
  [ -x "$CRANE_BIN" ] || { say "$CRANE_BIN is not executable"; exit 1; }
  printf '{"crane":"%s","craneVersion":"%s"}\n' "$CRANE_BIN" "$crane_version"
  exit 0
fi

exec 9>"$cache/.lock"
flock 9

ldflags="-X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$crane_version"
key=$( (cat "$here/crane/go.mod" "$here/crane/go.sum"; echo "$ldflags") | sha256sum | cut -c1-12)
dest="$cache/crane-$crane_version-$key"
if [ ! -x "$dest/crane" ]; then
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  started=$(date +%s)
  say "building crane $crane_version from Go modules (the first build takes a while; later runs reuse $cache)"
  (cd "$here/crane" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/crane" github.com/google/go-containerregistry/cmd/crane)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built crane in $(($(date +%s) - started))s"
fi
printf '{"crane":"%s","craneVersion":"%s"}\n' "$dest/crane" "$crane_version"
