#!/usr/bin/env bash
# What the matrix's device calls carry, built from this checkout into DEST (default: the main checkout's
# .gpu-work/, ignored there, named in `carry`): the castaway CLI bundled for the staged Node, the recipes,
# and the matrix scripts.   usage: bash scripts/gpu/matrix/bundle.sh [DEST]
set -euo pipefail
cd "$(dirname "$0")/../../.."
DEST=${1:-/work/main/.gpu-work}
mkdir -p "$DEST"
rm -rf "$DEST/matrix" "$DEST/recipes"
cp -r scripts/gpu/matrix "$DEST/matrix"
npx --no-install esbuild src/cli/main.ts --bundle --platform=node --format=cjs --target=node20 \
  --external:onnxruntime-node --log-level=warning \
  --define:import.meta.url=__cw_import_meta_url \
  "--banner:js=const __cw_import_meta_url = require('url').pathToFileURL(__filename).href;" \
  --outfile="$DEST/castaway.cjs"
# the fp16 conversion threads' script, which the CLI looks for beside castaway.cjs (src/cli/fp16-threads.ts)
npx --no-install esbuild src/cli/fp16-worker.ts --bundle --platform=node --format=cjs --target=node20 \
  --log-level=warning --outfile="$DEST/fp16-worker.cjs"
npx --no-install tsx scripts/gpu/matrix/make-recipes.ts "$DEST/recipes"
git log -1 --format='%H %s' > "$DEST/engine-commit.txt"
du -sh "$DEST"
