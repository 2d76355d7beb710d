// Guards of `npm test`'s time on the 2-core CI machine (docs/ci.md): the settings that keep a loaded
// machine from failing the suite by accident, the largest fixture's onnxruntime sessions split over both cores
// with no fp32 session (stored references instead), and onnxruntime's thread pool kept from spinning on cores
// the other suites need.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config';
import { GPT2_TIMEOUT_MS } from '../src/node/fixture-suite';
import { TEST_THREADS } from '../src/node/ort-node';

const NODE_TESTS = new URL('../src/node/', import.meta.url);

describe('npm test on a loaded 2-core machine', () => {
  it('gives hooks a test\'s time: a hook that starts a process outlasts vitest\'s default 10 s under load', () => {
    const test = config.test!;
    expect(test.hookTimeout).toBeGreaterThanOrEqual(60_000);
    expect(test.hookTimeout).toBeGreaterThanOrEqual(test.testTimeout!);
  });

  it('checks every gpt2-deep200 recipe once, its fp16 sessions in files of their own so that they use both cores', () => {
    const files = readdirSync(NODE_TESTS).filter((f) => f.endsWith('.test.ts'));
    const recipes = files.flatMap((f) => {
      const call = /fixtureSuite\(\s*\['gpt2-deep200-o14'\],\s*\{\s*recipes:\s*\[([^\]]*)\]/.exec(readFileSync(new URL(f, NODE_TESTS), 'utf8'));
      return call ? [{ file: f, recipes: call[1].split(',').map((r) => r.trim().replace(/'/g, '')) }] : [];
    });
    expect(recipes.map((r) => r.file).sort()).toEqual(['fixtures-gpt2-a.test.ts', 'fixtures-gpt2-b.test.ts', 'fixtures-gpt2-c.test.ts']);
    expect(recipes.flatMap((r) => r.recipes).sort()).toEqual(['issue-block-list', 'keep-io-types', 'no-block-list', 'norms-softmax-scope', 'ort-default']);
    // the two fp16 models that differ from every other recipe's (docs/ci.md) are alone in their files
    for (const alone of ['no-block-list', 'norms-softmax-scope']) expect(recipes.find((r) => r.recipes.includes(alone))!.recipes).toEqual([alone]);
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
});
