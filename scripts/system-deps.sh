#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: Chromium and its headless shell (Playwright
# drives them; never a browser download; the browser tests run in the shell, which costs less CPU, docs/ci.md),
# python3-onnx (onnx.checker) and libonnx-testdata (the ONNX backend node tests).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/lib/chromium/chromium-headless-shell ] || need+=(chromium-headless-shell)
/usr/bin/python3 -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing from Debian: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
