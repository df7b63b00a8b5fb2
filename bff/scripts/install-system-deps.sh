#!/usr/bin/env bash
# Installs the Debian packages the tests and the specimen-card generator need, when missing:
#   fonts-wqy-microhei  a Chinese font, so specimen cards render real characters that OCR can read
#   fonts-wqy-zenhei    a second one: the OCR evaluation reads cards printed in another typeface
#   fontconfig          how the SVG renderer finds that font
#   chromium            the browser of the end-to-end tests (driven by playwright-core; no download)
#   ffmpeg              turns a photo into the video the fake camera plays in those tests
#   postgresql          the tests start a throwaway PostgreSQL cluster of their own (initdb, pg_ctl)
# Needs root (or sudo) and Debian/Ubuntu's apt; elsewhere it says what to install and stops.
set -euo pipefail

packages=(fonts-wqy-microhei fonts-wqy-zenhei fontconfig chromium ffmpeg postgresql)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Run as root, or install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
