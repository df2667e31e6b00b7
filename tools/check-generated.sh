#!/usr/bin/env bash
# Fails when `npm run generate` changes anything: generated files (CRDs, API
# reports, schemas) must be committed as the generators write them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run --silent generate
changed=$(git status --porcelain --untracked-files=all -- . ':!node_modules')
if [ -n "$changed" ]; then
  echo "check-generated: npm run generate changed these files; run it and commit the result:" >&2
  echo "$changed" >&2
  git --no-pager diff --stat >&2
  exit 1
fi
echo "check-generated: generated files are up to date"
