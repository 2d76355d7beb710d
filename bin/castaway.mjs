#!/usr/bin/env node
// Runs the CLI from a bundle, dist/cli/castaway.cjs, so that a start transpiles no TypeScript (tsx's loader
// cost about 1 s of a cold `castaway convert`). The bundle is built here with esbuild on the first run, and
// again whenever one of the files it was built from is newer than it (their list is kept beside it: one stat
// each, a few ms), so a fresh clone, `npm test` and `npx castaway` need no build step.
// CASTAWAY_TSX=1 runs the sources through tsx instead (no bundle).
//
// The bundle is compiled with V8's code cache (castaway.cjs.cache beside it, written after the first run
// that found none): Node 20 has no module.enableCompileCache (22.1+), and compiling the ~1 MB bundle's
// functions as a run first calls them cost ~70-90 ms of CPU per cold start (a third of a small convert).
// The cache is written by the first successful convert or inspect, so it holds the engine's functions.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'cli');
const bundle = join(outDir, 'castaway.cjs');
const inputsFile = join(outDir, 'inputs.json');
const workerBundle = join(outDir, 'fp16-worker.cjs');
const cacheFile = `${bundle}.cache`;

function upToDate() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
    statSync(workerBundle); // a bundle from before the worker existed is rebuilt
    for (const input of JSON.parse(readFileSync(inputsFile, 'utf8'))) if (statSync(join(root, input)).mtimeMs > built) return false;
  } catch {
    return false; // no bundle yet, or a source was removed
  }
  return true;
}

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  // The fp16 conversion threads' script (src/cli/fp16-threads.ts), beside the bundle, built first: a bundle
  // that is up to date always has its worker.
  await bundleEntry(esbuild, join(root, 'src', 'cli', 'fp16-worker.ts'), workerBundle);
  await bundleEntry(esbuild, join(root, 'src', 'cli', 'main.ts'), bundle, inputsFile);
}

/** Bundles one entry to `outfile` (a private name, then a rename: two first runs at once each write a whole file). */
async function bundleEntry(esbuild, entry, outfile, inputsOut) {
  const tmp = `${outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    // import.meta.url has no meaning in CommonJS: give the modules that use it the bundle's own URL
    define: { 'import.meta.url': '__cw_import_meta_url' },
    banner: { js: "const __cw_import_meta_url = require('url').pathToFileURL(__filename).href;" },
    outfile: tmp,
    metafile: true,
    logLevel: 'warning',
  });
  renameSync(tmp, outfile);
  if (!inputsOut) return;
  // the sources of both bundles: the worker's are a subset of the CLI's, plus its own entry
  const inputs = [...Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules')), 'src/cli/fp16-worker.ts'];
  writeFileSync(`${inputsOut}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(`${inputsOut}.${process.pid}.tmp`, inputsOut);
}

async function fromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

/**
 * Loads the bundle as Node's CommonJS loader would, but through a vm.Script given the code cache. V8 checks
 * a cache only against the source's length, so the cache starts with the bundle's size and mtime, and a
 * cache of another build is ignored (and replaced). Returns the exports and a function that writes a fresh
 * cache when none was used: called after the command, so the cache holds every function the run compiled.
 */
function loadBundle() {
  const source = readFileSync(bundle, 'utf8');
  const { size, mtimeMs } = statSync(bundle);
  const key = Buffer.from(`castaway-code-cache ${process.version} ${size} ${mtimeMs}\n`);
  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    if (cache.subarray(0, key.length).equals(key)) cachedData = cache.subarray(key.length);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, outDir);
  module.loaded = true;
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install runs without a cache
    }
  };
  return { exports: module.exports, saveCache };
}

let main;
let saveCache = () => {};
if (process.env.CASTAWAY_TSX === '1') {
  main = await fromSources();
} else {
  let built = upToDate();
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
    const loaded = loadBundle();
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
