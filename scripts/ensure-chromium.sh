#!/usr/bin/env bash
# `npm test` runs this first, so the README's two commands work on a fresh machine: the browser tests
# (test/e2e, test/desktop) and the browser bench need a Chromium or Chrome. scripts/find-chromium.mjs
# decides which one (the harness imports the same finder): $CHROMIUM_PATH/$CHROME_PATH, PATH, the usual
# install locations, Playwright's cache. When there is none it installs Debian's/Ubuntu's chromium where
# it can (root or password-less sudo, apt-get), else it stops with the one command to run.
set -euo pipefail
exec node "$(dirname "$0")/find-chromium.mjs" --install >/dev/null
