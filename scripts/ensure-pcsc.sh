#!/usr/bin/env bash
# Makes sure the test stack is in place before `npm test` (its pretest step):
# - pcscd, the vpcd virtual reader driver (Debian package vsmartcard-vpcd), socat and the
#   PC/SC headers (libpcsclite-dev, which npm's pcsclite addon builds against);
# - tesseract with its Vietnamese model, which reads the receipts' PNGs back in the tests;
# - Debian's chromium, the browser the clerk page's tests drive (never a downloaded one);
# - npm's pcsclite module loads.
# As root on Debian it installs what is missing; otherwise it says what to run and fails.
# It never skips: the PC/SC tests are part of the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pcscd libpcsclite-dev vsmartcard-vpcd socat tesseract-ocr tesseract-ocr-vie chromium)
apt_line="apt-get install -y ${packages[*]}"

have_pcscd() { command -v pcscd >/dev/null 2>&1 || [ -x /usr/sbin/pcscd ]; }
have_vpcd() {
  compgen -G '/usr/lib/pcsc/drivers/serial/libifdvpcd.so*' >/dev/null \
    || compgen -G '/usr/lib/*/pcsc/drivers/serial/libifdvpcd.so*' >/dev/null \
    || { command -v dpkg >/dev/null 2>&1 && dpkg -L vsmartcard-vpcd 2>/dev/null \
           | grep -q 'libifdvpcd\.so'; }
}
have_headers() { [ -f /usr/include/PCSC/winscard.h ]; }
have_socat() { command -v socat >/dev/null 2>&1; }
have_tesseract() {
  command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie
}
# test/browser launches this exact path through playwright-core.
have_chromium() { [ -x /usr/bin/chromium ]; }

missing=()
have_pcscd || missing+=(pcscd)
have_vpcd || missing+=(vsmartcard-vpcd)
have_headers || missing+=(libpcsclite-dev)
have_socat || missing+=(socat)
have_tesseract || missing+=(tesseract-ocr-vie)
have_chromium || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-pcsc: installing ${packages[*]} (missing: ${missing[*]})"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
  else
    echo "ensure-pcsc: missing ${missing[*]}; the tests need them. Install with:" >&2
    echo "  sudo $apt_line" >&2
    exit 1
  fi
fi

pcsclite_loads() { node -e "require('pcsclite')" >/dev/null 2>&1; }

if ! pcsclite_loads; then
  # An optional dependency: npm leaves it unbuilt when libpcsclite-dev was missing at install.
  if [ -d node_modules/pcsclite ]; then
    echo "ensure-pcsc: rebuilding npm pcsclite"
    npm rebuild pcsclite
  else
    echo "ensure-pcsc: installing npm pcsclite"
    npm install --no-save --no-audit --no-fund pcsclite@1.0.1
  fi
  if ! pcsclite_loads; then
    echo "ensure-pcsc: npm pcsclite still does not load:" >&2
    node -e "require('pcsclite')" >&2 || true
    echo "  check that libpcsclite-dev, make and a C++ compiler are installed, then run" >&2
    echo "  npm rebuild pcsclite" >&2
    exit 1
  fi
fi
echo "ensure-pcsc: pcscd, vpcd, socat, tesseract (vie), chromium and npm pcsclite are ready"
