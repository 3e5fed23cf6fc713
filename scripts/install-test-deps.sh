#!/usr/bin/env bash
# Install the system packages the test suite drives for real: Debian's chromium (browser tests),
# Node with npm (the independent OpenID Provider of the interop tests) and, when no PostgreSQL
# answers, the PostgreSQL server binaries the suite starts a throwaway cluster from. `wrk` as an argument installs the benchmark load generator instead.
set -euo pipefail

wanted=()
if [[ "${1:-}" == "wrk" ]]; then
  command -v wrk >/dev/null || wanted+=(wrk)
else
  command -v chromium >/dev/null || wanted+=(chromium)
  # The interop tests run an independent OpenID Provider on Node (tests/interop).
  command -v npm >/dev/null || wanted+=(nodejs npm)
  command -v redis-server >/dev/null || wanted+=(redis-server)
  { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep 'libpangoft2-1\.0\.so\.0' >/dev/null || wanted+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
  postgres_url="${SAMPLAN_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
  if ! .venv/bin/python - "$postgres_url" <<'PY' 2>/dev/null; then
import asyncio, sys
import asyncpg

async def main() -> None:
    connection = await asyncpg.connect(sys.argv[1], timeout=3)
    await connection.close()

asyncio.run(main())
PY
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || wanted+=(postgresql)
  fi
fi

if [[ ${#wanted[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${wanted[*]}. Install them once with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${wanted[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${wanted[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
