#!/usr/bin/env bash
# Makes sushy-tools' Redfish BMC emulator (sushy-emulator) available and prints where it is, as one
# JSON line on stdout (progress goes to stderr):
#   {"sushyEmulator":..., "python":..., "sushyToolsVersion":...}
#
# - Installed with pip from the Python package index into a virtual environment of Python 3
#   (python3.11 when present), with the exact versions of requirements.txt (no resolver surprises).
# - The environment is cached outside the repository, keyed by the hash of requirements.txt and the
#   interpreter's version, and reused by every later run.
# - SUSHY_EMULATOR_BIN, when set, is used as it is and nothing is installed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}/sushy
mkdir -p "$cache"

say() { echo "sushy: $*" >&2; }

version=$(awk -F'==' '$1 == "sushy-tools" { print $2; exit }' "$here/requirements.txt")
[ -n "$version" ] || { say "could not read the pinned sushy-tools version from $here/requirements.txt"; exit 1; }

if [ -n "${SUSHY_EMULATOR_BIN:-}" ]; then
  [ -x "$SUSHY_EMULATOR_BIN" ] || { say "$SUSHY_EMULATOR_BIN is not executable"; exit 1; }
  printf '{"sushyEmulator":"%s","python":"","sushyToolsVersion":"%s"}\n' "$SUSHY_EMULATOR_BIN" "$version"
  exit 0
fi

python=$(command -v python3.11 || command -v python3 || true)
[ -n "$python" ] || { say "no python3 on PATH"; exit 1; }
py_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$( (cat "$here/requirements.txt"; echo "$py_version") | sha256sum | cut -c1-12)
dest="$cache/sushy-tools-$version-py$py_version-$key"

# One installer at a time: parallel test runs wait for the first install instead of repeating it.
exec 9>"$cache/.lock"
flock 9
# The marker is written last: an install cut short is redone, never half used. (A virtual
# environment's scripts name its own path, so it is made in place rather than moved there.)
if ! [ -f "$dest/.installed" ]; then
  rm -rf "$dest"
  trap 'rm -rf "$dest"' EXIT
  started=$(date +%s)
  say "installing sushy-tools $version into a virtual environment (once; later runs reuse $cache)"
  "$python" -m venv "$dest" >&2
  "$dest/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps \
    --requirement "$here/requirements.txt" >&2
  "$dest/bin/python" -c 'import sushy_tools.emulator.main' >&2
  touch "$dest/.installed"
  trap - EXIT
  say "installed in $(($(date +%s) - started))s"
fi

printf '{"sushyEmulator":"%s","python":"%s","sushyToolsVersion":"%s"}\n' "$dest/bin/sushy-emulator" "$dest/bin/python" "$version"
