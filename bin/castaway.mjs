#!/usr/bin/env node
// Runs the CLI from a bundle, dist/cli/castaway.cjs, so that a start transpiles no TypeScript (tsx's loader
// cost about 1 s of a cold `castaway convert`). The bundle is built here with esbuild on the first run, and
// again whenever one of the files it was built from is newer than it (bin/bundle.mjs, shared with the
// companion's inference process), so a fresh clone, `npm test` and `npx castaway` need no build step.
// CASTAWAY_TSX=1 runs the sources through tsx instead (no bundle).
//
// The bundle is compiled with V8's code cache (castaway.cjs.cache beside it, written after the first run
// that found none): Node 20 has no module.enableCompileCache (22.1+), and compiling the ~1 MB bundle's
// functions as a run first calls them cost ~70-90 ms of CPU per cold start (a third of a small convert).
// The cache is written by the first successful convert or inspect, so it holds the engine's functions.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry, loadBundle, upToDate } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'cli');
const bundle = join(outDir, 'castaway.cjs');
const inputsFile = join(outDir, 'inputs.json');
const workerBundle = join(outDir, 'fp16-worker.cjs');

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  // The fp16 conversion threads' script (src/cli/fp16-threads.ts), beside the bundle, built first: a bundle
  // that is up to date always has its worker (a bundle from before the worker existed is rebuilt).
  await bundleEntry(esbuild, root, join(root, 'src', 'cli', 'fp16-worker.ts'), workerBundle);
  // the sources of both bundles: the worker's are a subset of the CLI's, plus its own entry
  await bundleEntry(esbuild, root, join(root, 'src', 'cli', 'main.ts'), bundle, { inputsOut: inputsFile, extraInputs: ['src/cli/fp16-worker.ts'] });
}

async function fromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

let main;
let saveCache = () => {};
if (process.env.CASTAWAY_TSX === '1') {
  main = await fromSources();
} else {
  let built = upToDate(root, bundle, inputsFile, [workerBundle]);
  if (!built) {
    try {
      await build();
      built = true;
    } catch (error) {
      // esbuild comes with tsx and vite; should it be missing or fail, the CLI still runs, only slower
      process.stderr.write(`castaway: could not bundle the CLI (${error?.message?.split('\n')[0] ?? error}); running it through tsx\n`);
    }
  }
  if (built) {
    const loaded = loadBundle(bundle);
    main = loaded.exports.main;
    saveCache = loaded.saveCache;
  } else {
    main = await fromSources();
  }
}
const code = await main(process.argv.slice(2));
// Only a run that went through the engine leaves a cache worth keeping: one written after `--help` would
// hold little more than the module's top level, and being valid it would never be replaced.
if (code === 0 && (process.argv[2] === 'convert' || process.argv[2] === 'inspect')) saveCache();
process.exit(code);
