#!/usr/bin/env bash
# Install the Debian packages the tests need, only those missing: the chromium
# browser (/usr/bin/chromium, driven by Playwright's Python package), a CJK font
# (fonts-wqy-zenhei) so Chinese renders in screenshots, and docker-compose 1.29
# (validates docker-compose.yml without an engine), wrk and hey (the benchmark's HTTP
# load generators: wrk at saturation, hey at a fixed rate).  Nothing is downloaded
# outside apt: never `playwright install`.  Does nothing when all are present.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || ! fc-list | grep -qi wqy; then
  need+=(fonts-wqy-zenhei)
fi
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v hey >/dev/null 2>&1 || need+=(hey)
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup-system: need root or sudo to install: ${need[*]}" >&2
  exit 1
fi

echo "setup-system: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig
