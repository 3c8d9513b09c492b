#!/usr/bin/env bash
# Headless Chromium for the browser tests (test/browser), from Debian's `chromium` package.
#
#   bash scripts/browser.sh ensure   # install /usr/bin/chromium with apt-get if missing; idempotent
#   bash scripts/browser.sh path     # print the executable the tests launch
#
# Env: CHROMIUM_PATH (use another Chromium build; nothing is installed then).
#
# playwright-core (an npm devDependency) drives it. Playwright's own browser download (`npx playwright install`)
# needs hosts this project never reaches, so it is never called: the distribution's package is the browser.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

log() { printf '[browser.sh] %s\n' "$*" >&2; }
die() { printf '[browser.sh] ERROR: %s\n' "$*" >&2; exit 1; }

cmd_ensure() {
  if [ -x "$CHROMIUM" ]; then return 0; fi
  [ -z "${CHROMIUM_PATH:-}" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  command -v apt-get >/dev/null 2>&1 || die "no $CHROMIUM and no apt-get: install Chromium and set CHROMIUM_PATH"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing chromium needs root (or set CHROMIUM_PATH)"
    sudo="sudo"
  fi
  # Serialise concurrent installs (two test runs at once); dpkg would refuse the second anyway.
  exec 8>/tmp/.browser-sh.lock
  flock -w 900 8 || die "timed out waiting for /tmp/.browser-sh.lock"
  [ -x "$CHROMIUM" ] && return 0
  log "installing Debian's chromium package (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 || die "apt-get install chromium failed"
  [ -x "$CHROMIUM" ] || die "apt-get reported success but $CHROMIUM is missing"
  log "installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  path) echo "$CHROMIUM" ;;
  *) echo "usage: $0 {ensure|path}" >&2; exit 2 ;;
esac
