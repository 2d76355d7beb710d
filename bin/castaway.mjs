#!/usr/bin/env node
// Runs the CLI from a bundle, dist/cli/castaway.cjs, so that a start transpiles no TypeScript (tsx's loader
// cost about 1 s of a cold `castaway convert`). The bundle is built here with esbuild on the first run, and
// again whenever one of the files it was built from is newer than it (their list is kept beside it: one stat
// each, a few ms), so a fresh clone, `npm test` and `npx castaway` need no build step.
// CASTAWAY_TSX=1 runs the sources through tsx instead (no bundle).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'cli');
const bundle = join(outDir, 'castaway.cjs');
const inputsFile = join(outDir, 'inputs.json');

function upToDate() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
    for (const input of JSON.parse(readFileSync(inputsFile, 'utf8'))) if (statSync(join(root, input)).mtimeMs > built) return false;
  } catch {
    return false; // no bundle yet, or a source was removed
  }
  return true;
}

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  // a private name, then a rename: two first runs at once each write a whole bundle, never half of one
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
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
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules'));
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(tmp, bundle);
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
}

async function fromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

let main;
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
  main = built ? createRequire(import.meta.url)(bundle).main : await fromSources();
}
process.exit(await main(process.argv.slice(2)));
