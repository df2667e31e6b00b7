#!/usr/bin/env bash
# Makes Debian's chromium available for the browser tests (Playwright drives it
# through playwright-core; no browser download). Installs the package when it
# is missing; prints the executable's path.
set -euo pipefail
say() { echo "ensure-chromium: $*" >&2; }
if [ -n "${IINFRA_CHROMIUM:-}" ] && [ -x "$IINFRA_CHROMIUM" ]; then
  echo "$IINFRA_CHROMIUM"
  exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "chromium is not installed and this is not a Debian system; install Chromium and set IINFRA_CHROMIUM"
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  say "installing Debian's chromium package (once per machine)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
fi
command -v chromium
