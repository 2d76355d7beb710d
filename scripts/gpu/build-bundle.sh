#!/usr/bin/env bash
# Bundles, for the GPU machine's staged Node (no node_modules there; onnxruntime-node is left out and
# resolves through NODE_PATH or CASTAWAY_ORT_NODE):
#   .gpu-bundle/bench.cjs     `castaway bench` (the companion's runner, in-process)
#   .gpu-bundle/castaway.cjs  the whole castaway CLI (convert, inspect, bench)
#   .gpu-bundle/companion.cjs + worker.cjs   the companion server and its inference process
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu-bundle/' .git/info/exclude 2>/dev/null || echo '/.gpu-bundle/' >> .git/info/exclude
mkdir -p .gpu-bundle
bundle() {
  npx --no-install esbuild "$1" --bundle --platform=node --format=cjs --target=node20 \
    --external:onnxruntime-node --log-level=warning \
    --define:import.meta.url=__cw_import_meta_url \
    "--banner:js=const __cw_import_meta_url = require('url').pathToFileURL(__filename).href;" \
    --outfile="$2"
}
bundle scripts/gpu/bench-entry.ts .gpu-bundle/bench.cjs
bundle src/companion/server/main.ts .gpu-bundle/companion.cjs
bundle src/companion/server/worker.ts .gpu-bundle/worker.cjs
npx --no-install tsx scripts/gpu/make-recipes.ts .gpu-bundle/recipes
bundle src/cli/main.ts .gpu-bundle/castaway.cjs || echo "WARNING: the castaway CLI did not bundle (convert unavailable)"
ls -la .gpu-bundle
