#!/usr/bin/env bash
# Install the independent OpenID Provider the interop tests log in against (tests/interop: panva's
# oidc-provider on Node, pinned by package-lock.json). Runs `npm ci` only when node_modules is
# missing or older than the lock file, so it is cheap to call before every test run. Needs node and
# npm on PATH; the only network it uses is the npm registry.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
interop="$root/tests/interop"
lock="$interop/package-lock.json"
modules="$interop/node_modules"

missing=()
command -v node >/dev/null || missing+=(node)
command -v npm >/dev/null || missing+=(npm)
if [[ ${#missing[@]} -ne 0 ]]; then
  echo "install-interop-deps: ${missing[*]} not found; install Node.js 18.12+ with npm (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi

# npm ci rewrites node_modules/.package-lock.json, so its time says when the last install finished.
stamp="$modules/.package-lock.json"
if [[ -d "$modules" && -f "$stamp" && ! "$lock" -nt "$stamp" ]]; then
  exit 0
fi

echo "Installing the interop OpenID Provider (npm ci in tests/interop)"
npm ci --no-audit --no-fund --loglevel=error --prefix "$interop"
touch "$stamp"
