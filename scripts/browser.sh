#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the headless browser tests (Playwright drives
# /usr/bin/chromium; `playwright install` is never used, so nothing is downloaded from its CDN).
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: already installed at $CHROMIUM"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: missing and apt-get is not available; the browser tests will skip"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium: missing, and installing it needs root; the browser tests will skip"
  exit 0
fi

echo "chromium: not installed, installing it from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
if [ -x "$CHROMIUM" ]; then
  echo "chromium: installed ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
else
  echo "chromium: the install failed; the browser tests will skip (and fail in CI)"
fi
exit 0
