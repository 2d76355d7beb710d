// Guards of `npm test`'s time on the 2-core CI machine (docs/ci.md): the settings that keep a loaded
// machine from failing the suite by accident, the largest fixture's one whole-file onnxruntime session started
// first with its other recipes in pieces and no fp32 session (stored references instead), and onnxruntime's
// thread pool kept from spinning on cores the other suites need.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config, { CORE_TESTS, SLOW } from '../vitest.config';
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
    const rank = (file: string) => SLOW.findIndex((re) => re.test(file));
    expect(rank('src/node/fixtures-gpt2-whole.test.ts')).toBe(0);
    expect(files.filter((f) => rank(`src/node/${f}`) === 0)).toEqual(['fixtures-gpt2-whole.test.ts']);
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

  it('imports the engine once per worker for src/core\'s pure unit files, and isolates every other file', () => {
    const core = project('core');
    const rest = project('rest');
    expect(core.isolate).toBe(false);
    expect(core.include).toEqual(CORE_TESTS);
    expect(CORE_TESTS.every((glob) => glob.startsWith('src/core/'))).toBe(true);
    // the rest keeps vitest's default (isolated) and leaves out the core files, so that none runs twice
    expect(rest.isolate).not.toBe(false);
    expect(rest.exclude).toEqual(expect.arrayContaining(CORE_TESTS));
    expect(config.test!.include).toBeUndefined();
  });

  it('src/core\'s tests leave no state behind for the next file in their worker: no module mocks, stubbed globals or fake timers', () => {
    const files = testFiles('src/core/');
    expect(files.length).toBeGreaterThan(30);
    const leaky = files.filter((f) => /\bvi\.(mock|doMock|stubGlobal|stubEnv|useFakeTimers)\(|globalThis\.\w+\s*=[^=]/.test(readFileSync(new URL(f, ROOT), 'utf8')));
    expect(leaky).toEqual([]);
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
