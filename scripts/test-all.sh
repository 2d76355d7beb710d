#!/usr/bin/env bash
# `npm test`: every check the project has, in the order that fails fastest. Each step prints its wall and
# CPU time (docs/ci.md: where the time of a CI run goes).
set -euo pipefail
export ONNXRUNTIME_NODE_INSTALL=skip  # onnxruntime-node must not download CUDA binaries at install
cd "$(dirname "$0")/.."
TIMEFORMAT='   (%R s wall, %U s user + %S s system CPU)'
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/system-deps.sh
echo "== typecheck"; time npx tsc --noEmit -p tsconfig.json
echo "== typecheck src/core alone (ES2022, no DOM, no Node types)"; time npx tsc --noEmit -p src/core/tsconfig.json
echo "== typecheck the companion's browser-safe half (no Node types)"; time npx tsc --noEmit -p src/companion/shared/tsconfig.json

# vitest and Playwright run side by side: vitest's longest file (gpt2-deep200 in onnxruntime, one worker)
# outlasts the rest of its files on the other worker, and the browser tests fill that time instead of
# starting after it. Each line is tagged with its suite; the step fails if either suite fails.
tagged() {
  local tag=$1
  shift
  { time "$@"; } 2>&1 | sed -u "s/^/[$tag] /"
}
echo "== unit, fixture and backend-suite tests [vitest], beside the end-to-end tests in Chromium [e2e]"
set +e
trap 'trap - INT TERM; kill 0' INT TERM  # an interrupted run stops both suites
# Both in the background: bash runs a trap only between commands, and `wait` is one it can interrupt.
tagged vitest npx vitest run &
vitest_pid=$!
tagged e2e npx playwright test &
e2e_pid=$!
wait "$e2e_pid"
e2e_status=$?
wait "$vitest_pid"
vitest_status=$?
set -e
echo "== vitest exit $vitest_status, Playwright exit $e2e_status"
[ "$vitest_status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
