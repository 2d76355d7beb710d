#!/usr/bin/env bash
# `npm test`: every check the project has, in the order that fails fastest.
set -euo pipefail
export ONNXRUNTIME_NODE_INSTALL=skip  # onnxruntime-node must not download CUDA binaries at install
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/system-deps.sh
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== typecheck src/core alone (ES2022, no DOM, no Node types)"; npx tsc --noEmit -p src/core/tsconfig.json
echo "== typecheck the companion's browser-safe half (no Node types)"; npx tsc --noEmit -p src/companion/shared/tsconfig.json
echo "== unit, fixture and backend-suite tests"; npx vitest run
echo "== end-to-end tests (Chromium)"; npx playwright test
