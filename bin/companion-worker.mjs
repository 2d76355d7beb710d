// The companion's inference process as the server forks it from the source tree (job-queue.ts `workerEntry`):
// src/companion/server/worker.ts run from a bundle, dist/companion/worker.cjs, built here with esbuild when
// missing or older than a source it was built from, and compiled with V8's code cache (bin/bundle.mjs, as the
// CLI is). Through tsx's loader each start cost ~0.5 s more CPU than from the bundle (docs/ci.md, "Sixth
// pass"), and the server starts one per start, per killed job and per crash. Should esbuild be missing or
// fail, the sources run through tsx as before, only slower.
//
// The process's working directory is the server's empty private one: every path here is absolute.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry, loadBundle, upToDate } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// CASTAWAY_COMPANION_BUNDLE_DIR puts the bundle elsewhere (the tests build theirs in a private folder); it
// must be inside the project, where onnxruntime-node resolves from
const outDir = process.env.CASTAWAY_COMPANION_BUNDLE_DIR || join(root, 'dist', 'companion');
const bundle = join(outDir, 'worker.cjs');
const inputsFile = join(outDir, 'inputs.json');

let built = upToDate(root, bundle, inputsFile);
if (!built) {
  try {
    const esbuild = await import('esbuild');
    mkdirSync(outDir, { recursive: true });
    await bundleEntry(esbuild, root, join(root, 'src', 'companion', 'server', 'worker.ts'), bundle, { inputsOut: inputsFile });
    built = true;
  } catch (error) {
    process.stderr.write(`castaway companion: could not bundle the inference process (${error?.message?.split('\n')[0] ?? error}); running it through tsx\n`);
  }
}
if (built) {
  const { exports, saveCache } = loadBundle(bundle);
  // The cache is written once the first run or bench has been answered, so it holds the functions a job
  // compiles (decoding, inputs, the session), not only the module's top level.
  exports.afterFirstJob(saveCache);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/companion/server/worker.ts');
}
