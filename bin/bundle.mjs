// Bundles built on first use, for the programs that start often and should not transpile TypeScript each time:
// the CLI (bin/castaway.mjs) and the companion's inference process (bin/companion-worker.mjs). Each bundle is
// built with esbuild when missing, and again whenever one of the files it was built from is newer than it
// (their list is kept beside it: one stat each, a few ms), so a fresh clone needs no build step; and it is
// compiled with V8's code cache (`<bundle>.cache`): Node 20 has no module.enableCompileCache (22.1+).
import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Whether `bundle` exists, so do the files in `alsoBuilt` (built with it), and no source listed in
 * `inputsFile` (paths relative to `root`) is newer than it. A removed source counts as a change.
 */
export function upToDate(root, bundle, inputsFile, alsoBuilt = []) {
  try {
    const built = statSync(bundle).mtimeMs;
    for (const file of alsoBuilt) statSync(file);
    for (const input of JSON.parse(readFileSync(inputsFile, 'utf8'))) if (statSync(join(root, input)).mtimeMs > built) return false;
  } catch {
    return false;
  }
  return true;
}

/**
 * Bundles one entry to `outfile` (a private name, then a rename: two first runs at once each write a whole
 * file). With `inputsOut`, lists there the project sources it was built from, plus `extraInputs`.
 */
export async function bundleEntry(esbuild, root, entry, outfile, { inputsOut, extraInputs = [] } = {}) {
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
  const inputs = [...Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules')), ...extraInputs];
  writeFileSync(`${inputsOut}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(`${inputsOut}.${process.pid}.tmp`, inputsOut);
}

/**
 * Loads a bundle as Node's CommonJS loader would, but through a vm.Script given the code cache. V8 checks
 * a cache only against the source's length, so the cache starts with the bundle's size and mtime, and a
 * cache of another build is ignored (and replaced). Returns the exports and a function that writes a fresh
 * cache when none was used: the caller calls it once the run has compiled the functions worth keeping.
 */
export function loadBundle(bundle) {
  const cacheFile = `${bundle}.cache`;
  // the source and its size and mtime from one open file: a rebuild renamed over it meanwhile cannot mix them
  const fd = openSync(bundle, 'r');
  let source, size, mtimeMs;
  try {
    ({ size, mtimeMs } = fstatSync(fd));
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
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
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
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
