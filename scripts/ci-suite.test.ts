// Guards of `npm test`'s time on the 2-core CI machine (docs/ci.md): the settings that keep a loaded
// machine from failing the suite by accident, the largest fixture's one whole-file onnxruntime session started
// first with its other recipes in pieces and no fp32 session (stored references instead), onnxruntime's
// thread pool kept from spinning on cores the other suites need, and the files that share a module graph.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config, { ALL_TESTS, ISOLATED_TESTS, SLOW, startRank } from '../vitest.config';
import { chromiumPath, FULL_CHROMIUM, HEADLESS_SHELL } from '../e2e/browser';
import { GPT2_TIMEOUT_MS } from '../src/node/fixture-suite';
import { TEST_THREADS } from '../src/node/ort-node';

const NODE_TESTS = new URL('../src/node/', import.meta.url);
const ROOT = new URL('../', import.meta.url);

/** The inline projects of vitest.config.ts, by name. */
function project(name: string): { include?: string[]; exclude?: string[]; isolate?: boolean } {
  const found = (config.test!.projects ?? []).find((p) => typeof p === 'object' && 'test' in p && p.test?.name === name);
  if (!found || typeof found !== 'object' || !('test' in found) || !found.test) throw new Error(`no vitest project ${name}`);
  return found.test as { include?: string[]; exclude?: string[]; isolate?: boolean };
}

/** Test files under a folder of the repository, relative to its root. */
function testFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}${f}`);
}

describe('npm test on a loaded 2-core machine', () => {
  it('gives hooks a test\'s time: a hook that starts a process outlasts vitest\'s default 10 s under load', () => {
    const test = config.test!;
    expect(test.hookTimeout).toBeGreaterThanOrEqual(60_000);
    expect(test.hookTimeout).toBeGreaterThanOrEqual(test.testTimeout!);
  });

  it('checks every gpt2-deep200 recipe once: one whole-file fp16 session, started first, and the other recipes in pieces', () => {
    const files = readdirSync(NODE_TESTS).filter((f) => f.endsWith('.test.ts'));
    const calls = files.flatMap((f) => {
      const call = /fixtureSuite\(\s*\['gpt2-deep200-o14'\],\s*\{\s*recipes:\s*\[([^\]]*)\]([^}]*)\}/.exec(readFileSync(new URL(f, NODE_TESTS), 'utf8'));
      return call ? [{ file: f, recipes: call[1].split(',').map((r) => r.trim().replace(/'/g, '')), pieces: /run:\s*'pieces'/.test(call[2]) }] : [];
    });
    expect(calls.map((c) => c.file).sort()).toEqual(['fixtures-gpt2-pieces.test.ts', 'fixtures-gpt2-whole.test.ts']);
    expect(calls.flatMap((c) => c.recipes).sort()).toEqual(['issue-block-list', 'keep-io-types', 'no-block-list', 'norms-softmax-scope', 'ort-default']);
    // One session of the whole file (~95 s of CPU, docs/ci.md): ort-default and keep-io-types, identical bytes,
    // so that onnxruntime still loads a converted 200-layer file whole; every other recipe in pieces (3 sessions).
    const whole = calls.find((c) => c.file === 'fixtures-gpt2-whole.test.ts')!;
    expect(whole).toMatchObject({ recipes: ['ort-default', 'keep-io-types'], pieces: false });
    expect(calls.find((c) => c.file === 'fixtures-gpt2-pieces.test.ts')!.pieces).toBe(true);
    // the longest file starts first, and no other file ranks with it
    const all = ['src/', 'workers/', 'scripts/'].flatMap(testFiles);
    const rank = (file: string) => startRank(file, ISOLATED_TESTS.includes(file));
    const first = Math.min(...all.map(rank));
    expect(all.filter((f) => rank(f) === first)).toEqual(['src/node/fixtures-gpt2-whole.test.ts']);
  });

  it('compares fixtures with stored fp32 outputs, never an fp32 session of their own', () => {
    const suite = readFileSync(new URL('fixture-suite.ts', NODE_TESTS), 'utf8');
    expect(suite).toContain('readReference(fixture, bytes, feeds)');
    expect(suite).not.toMatch(/\brunModel\(/);
  });

  it('gives a gpt2-deep200 recipe room beyond the 1042 s one took at load 15-21 (main\'s 900 s failed it)', () => {
    expect(GPT2_TIMEOUT_MS).toBeGreaterThanOrEqual(1.5 * 1_042_000);
  });

  it('runs the tests\' onnxruntime-node sessions on one thread: a spinning pool takes CPU from the other suites', () => {
    expect(TEST_THREADS).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1 });
  });

  it('shares one module graph per worker among all files but the few that read state a neighbour could set', () => {
    const shared = project('shared');
    const isolated = project('isolated');
    expect(shared.isolate).toBe(false);
    expect(shared.include).toEqual(ALL_TESTS);
    // the isolated files keep vitest's default and run in their own project only, so that none runs twice
    expect(shared.exclude).toEqual(expect.arrayContaining(ISOLATED_TESTS));
    expect(isolated.include).toEqual(ISOLATED_TESTS);
    expect(isolated.isolate).not.toBe(false);
    expect(config.test!.include).toBeUndefined();
    // a renamed file would silently join the shared ones
    const all = ['src/', 'workers/', 'scripts/'].flatMap(testFiles);
    expect(all).toEqual(expect.arrayContaining(ISOLATED_TESTS));
    // every isolated file starts before every shared one: a shared graph ends when the next file is of another project
    const rank = (file: string) => startRank(file, ISOLATED_TESTS.includes(file));
    const shareds = all.filter((f) => !ISOLATED_TESTS.includes(f));
    expect(Math.max(...ISOLATED_TESTS.map(rank))).toBeLessThan(Math.min(...shareds.map(rank)));
    // and the slow files first within the shared ones (SLOW's order)
    expect(rank('src/node/bf16.test.ts')).toBeLessThan(rank('src/node/precision.test.ts'));
    expect(rank('src/node/backend-suite.test.ts')).toBeLessThan(rank('src/core/serde.test.ts'));
  });

  it('the shared files leave no state behind for the next file in their worker', () => {
    // this file left out: its own examples of each pattern (next test) would match
    const files = ['src/', 'workers/', 'scripts/'].flatMap(testFiles).filter((f) => !ISOLATED_TESTS.includes(f) && f !== 'scripts/ci-suite.test.ts');
    expect(files.length).toBeGreaterThan(70);
    const found = files.map((f) => [f, leftBehind(readFileSync(new URL(f, ROOT), 'utf8'))] as const).filter(([, reasons]) => reasons.length > 0);
    expect(found).toEqual([]);
  });

  it('recognises what a test file would leave behind', () => {
    expect(leftBehind("vi.mock('./x');")).toEqual(['module mock, stubbed global or environment, spy or fake timers']);
    expect(leftBehind('vi.useFakeTimers();')).toHaveLength(1);
    expect(leftBehind('globalThis.fetch = f;')).toEqual(['assigns to globalThis']);
    expect(leftBehind("process.chdir('/tmp');")).toEqual(['changes the working directory or umask']);
    expect(leftBehind("process.env.X = '1';")).toEqual(['sets an environment variable without restoring it in a finally block']);
    expect(leftBehind("try { process.env.X = '1'; } finally { delete process.env.X; }")).toEqual([]);
    expect(leftBehind('ortWeb.env.wasm.numThreads = 4;')).toEqual(['sets onnxruntime-web\'s wasm options to other than one thread']);
    expect(leftBehind('ortWeb.env.wasm.numThreads = 1;')).toEqual([]);
    expect(leftBehind('const vi = model.graph.valueInfo; vi.filter(Boolean);')).toEqual([]);
  });

  it('runs the browser tests in Debian\'s headless shell when installed, else the full Chromium; CHROMIUM_PATH overrides both', () => {
    expect(chromiumPath({}, (path) => path === HEADLESS_SHELL)).toBe(HEADLESS_SHELL);
    expect(chromiumPath({}, () => false)).toBe(FULL_CHROMIUM);
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chrome' }, () => true)).toBe('/opt/chrome');
    // CI installs the shell (scripts/system-deps.sh), and the suite's config asks e2e/browser.ts, not a fixed path
    expect(readFileSync(new URL('scripts/system-deps.sh', ROOT), 'utf8')).toMatch(/\[ -x \/usr\/lib\/chromium\/chromium-headless-shell \] \|\| need\+=\(chromium-headless-shell\)/);
    expect(readFileSync(new URL('playwright.config.ts', ROOT), 'utf8')).toContain(': chromiumPath(),');
  });
});

/**
 * What a test file does that outlives it in a worker shared with other files (the 'shared' project): the reasons,
 * empty when none is found. A pattern check, not a proof: module-level state an imported module caches is not seen
 * here (vitest.config.ts ISOLATED_TESTS lists the files isolated for that).
 */
function leftBehind(source: string): string[] {
  const found: string[] = [];
  if (/\bvi\.(mock|doMock|stubGlobal|stubEnv|spyOn|useFakeTimers)\(/.test(source)) found.push('module mock, stubbed global or environment, spy or fake timers');
  if (/globalThis\.\w+\s*=[^=]/.test(source)) found.push('assigns to globalThis');
  if (/process\.(chdir|umask)\(/.test(source)) found.push('changes the working directory or umask');
  // set and restored around the test (fp16-threads.test.ts): the next file in the worker sees the old value
  if (/process\.env\.\w+\s*=[^=]|delete process\.env\./.test(source) && !/finally\s*\{[^}]*process\.env/.test(source)) found.push('sets an environment variable without restoring it in a finally block');
  // onnxruntime-web's options stay with its module: precision, preview-speed and bf16 all want one thread
  if ([...source.matchAll(/\.env\.wasm\.(\w+)\s*=\s*([^;\n]+)/g)].some((m) => m[1] !== 'numThreads' || m[2].trim() !== '1')) found.push("sets onnxruntime-web's wasm options to other than one thread");
  return found;
}
