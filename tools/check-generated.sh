#!/usr/bin/env bash
# Fails when `npm run generate` changes anything: generated files (CRDs, API
# reports, schemas) must be committed as the generators write them. Compares
# the work tree before and after, so it also works with uncommitted edits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
snapshot() {
  git status --porcelain --untracked-files=all
  git diff | sha256sum
  git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum
}
before=$(snapshot)
npm run --silent generate
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "check-generated: npm run generate changed files; run it and commit the result:" >&2
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' | grep -v '  -$' >&2 || true
  exit 1
fi
echo "check-generated: generated files are up to date"
