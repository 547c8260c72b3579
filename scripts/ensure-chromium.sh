#!/usr/bin/env bash
# The browser tests (test/e2e) and the browser bench drive Debian's Chromium: `npx playwright install`
# cannot download a browser on these machines. `npm test` runs this first, so the README's two commands
# work on a fresh machine: it installs chromium when missing (as root, or through sudo), or says what to run.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at $CHROMIUM: install your distribution's chromium package, then run npm test again." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "The browser tests need Chromium at $CHROMIUM: as root, run apt-get install -y chromium, then npm test again." >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "Chromium is missing at $CHROMIUM: installing Debian's chromium for the browser tests (apt-get)." >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
