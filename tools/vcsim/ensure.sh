#!/usr/bin/env bash
# Makes govmomi's vCenter simulator (vcsim) and vSphere CLI (govc) available and
# prints where they are, as one JSON line on stdout (progress goes to stderr):
#   {"vcsim":..., "govc":..., "govmomiVersion":...}
#
# - Both are built with -trimpath from ./vcsim and ./govc, two small mains over
#   the govmomi module pinned in go.mod (upstream's own vcsim and govc commands
#   are sub-modules the Go module proxy cannot serve; see go.mod).
# - Binaries are cached outside the repository, keyed by the govmomi version and
#   a hash of go.mod, go.sum and both mains, and reused by every later run.
# - VCSIM_BIN and GOVC_BIN, when both set, are used as they are and nothing is built.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}/vcsim
mkdir -p "$cache"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

say() { echo "vcsim: $*" >&2; }

govmomi_version=$(awk '$1 == "require" && $2 == "github.com/vmware/govmomi" { print $3; exit }' "$here/go.mod")
[ -n "$govmomi_version" ] || { say "could not read the pinned github.com/vmware/govmomi version from $here/go.mod"; exit 1; }

if [ -n "${VCSIM_BIN:-}" ] && [ -n "${GOVC_BIN:-}" ]; then
  for b in "$VCSIM_BIN" "$GOVC_BIN"; do
    [ -x "$b" ] || { say "$b is not executable"; exit 1; }
  done
  vcsim=$VCSIM_BIN govc=$GOVC_BIN
else
  key=$(cat "$here/go.mod" "$here/go.sum" "$here/vcsim/main.go" "$here/govc/main.go" | sha256sum | cut -c1-12)
  dest="$cache/govmomi-$govmomi_version-$key"
  # One builder at a time: parallel test runs wait for the first build instead of repeating it.
  exec 9>"$cache/.lock"
  flock 9
  if ! [ -x "$dest/vcsim" ] || ! [ -x "$dest/govc" ]; then
    tmp=$(mktemp -d "$cache/.build.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    started=$(date +%s)
    say "building vcsim and govc from govmomi $govmomi_version (the first build takes a while; later runs reuse $cache)"
    (cd "$here" && go build -trimpath -ldflags "-s -w" -o "$tmp/vcsim" ./vcsim && go build -trimpath -ldflags "-s -w" -o "$tmp/govc" ./govc)
    rm -rf "$dest"
    mv "$tmp" "$dest"
    trap - EXIT
    say "built in $(($(date +%s) - started))s"
  fi
  vcsim=$dest/vcsim govc=$dest/govc
fi

printf '{"vcsim":"%s","govc":"%s","govmomiVersion":"%s"}\n' "$vcsim" "$govc" "$govmomi_version"
