// The inference process started from the source tree runs from a bundle that bin/companion-worker.mjs builds
// on demand (no tsx loader per start), rebuilds when stale, and compiles with a V8 code cache. Each test
// builds its bundle in a private folder (CASTAWAY_COMPANION_BUNDLE_DIR), so the other companion tests' processes,
// which use dist/companion, can neither write this test's cache nor see its stale bundle.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResponse } from '../shared/protocol.js';
import { ProcessExecutor } from './job-queue.js';
import { matmulModel } from './tiny-models.js';

const root = new URL('../../..', import.meta.url).pathname;

/** A private bundle folder inside the project (the bundle resolves onnxruntime-node from where it lies). */
function privateBundleDir(): string {
  mkdirSync(join(root, 'dist'), { recursive: true });
  return mkdtempSync(join(root, 'dist', 'companion-test-'));
}

async function withExecutor<T>(dir: string, f: (ex: ProcessExecutor) => Promise<T>): Promise<T> {
  const ex = new ProcessExecutor({ ...process.env, CASTAWAY_DISABLE_CUDA: '1', CASTAWAY_COMPANION_BUNDLE_DIR: dir });
  try {
    return await f(ex);
  } finally {
    ex.close();
  }
}

const run = (ex: ProcessExecutor) =>
  ex.execute({ kind: 'run', params: { dims: { batch: 1 } }, model: matmulModel(), modelKey: 'matmul', maxOutputBytes: 2 ** 20 }) as Promise<RunResponse>;

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

/** The code cache's key: this Node and the bundle's size and mtime (V8 itself only checks the source's length). */
function cacheKey(bundle: string): string {
  const { size, mtimeMs } = statSync(bundle);
  return `castaway-code-cache ${process.version} ${size} ${mtimeMs}\n`;
}

describe('the companion inference process from a bundle', () => {
  // One sequence, so that the bundle is built twice (first use, then stale) rather than once per check.
  it('is built on first use listing its sources, writes its code cache after the first job, uses it, and is rebuilt when stale', async () => {
    const dir = privateBundleDir();
    try {
      const bundle = join(dir, 'worker.cjs');
      const cache = `${bundle}.cache`;
      await withExecutor(dir, async (ex) => {
        await ex.execute({ kind: 'probe' });
        expect(existsSync(bundle)).toBe(true);
        expect(existsSync(cache)).toBe(false); // the probe compiles little of a job's code: no cache from it
        expect((await run(ex)).outputs.y).toBeDefined();
        await eventually(() => existsSync(cache)); // written right after the answer is sent
      });
      const inputs = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as string[];
      expect(inputs).toContain('src/companion/server/worker.ts');
      expect(inputs).toContain('src/companion/server/runner.ts');
      expect(inputs.some((p) => p.startsWith('src/core/'))).toBe(true);
      const key = cacheKey(bundle);
      const written = readFileSync(cache);
      expect(written.subarray(0, key.length).toString()).toBe(key);
      expect(written.length).toBeGreaterThan(key.length + 50_000); // the compiled functions, not an empty cache

      await withExecutor(dir, async (ex) => expect((await run(ex)).outputs.y).toBeDefined());
      expect(readFileSync(cache).equals(written)).toBe(true); // accepted by V8, so not rewritten

      // older than every source it lists: the next process rebuilds it, and replaces the old build's cache
      const past = new Date('2001-01-01T00:00:00Z');
      utimesSync(bundle, past, past);
      await withExecutor(dir, async (ex) => {
        expect((await run(ex)).outputs.y).toBeDefined();
        await eventually(() => !readFileSync(cache).equals(written));
      });
      expect(statSync(bundle).mtimeMs).toBeGreaterThan(past.getTime() + 1000);
      expect(readFileSync(cache).subarray(0, cacheKey(bundle).length).toString()).toBe(cacheKey(bundle));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
