#!/usr/bin/env bash
# Install the system libraries WeasyPrint renders plan PDFs with (Pango, HarfBuzz's font
# subsetter) and a fallback font, when they are missing. Without them the portal still runs and
# prints from the browser; only "Download PDF" answers 503. Installs only as root with apt-get;
# otherwise prints a one-line hint and succeeds, so `make run` never stops here.
set -uo pipefail

ldconfig_bin=$(command -v ldconfig || echo /sbin/ldconfig)
libraries=$("$ldconfig_bin" -p 2>/dev/null)

wanted=()
grep -q 'libpango-1\.0\.so\.0' <<<"$libraries" || wanted+=(libpango-1.0-0)
grep -q 'libpangoft2-1\.0\.so\.0' <<<"$libraries" || wanted+=(libpangoft2-1.0-0)
grep -q 'libharfbuzz-subset\.so\.0' <<<"$libraries" || wanted+=(libharfbuzz-subset0)
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || wanted+=(fonts-dejavu-core)

if [[ ${#wanted[@]} -eq 0 ]]; then
  exit 0
fi
hint="PDF download needs system packages; install them once with: sudo apt-get install -y ${wanted[*]}"
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "$hint" >&2
  exit 0
fi
echo "Installing system packages for PDF download: ${wanted[*]}"
if ! { apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null; }; then
  echo "$hint" >&2
fi
exit 0
