// Always-on robustness check (issue 10): at least 500 seeded mutations of fixture models (bit flips,
// truncations, field swaps and edits) through the CLI's own code path, in process. Each must exit 0 with a
// model that loads again, or 3/4/5 with a message; never crash (exit 1), hang (10 s) or take 1 GB.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, main } from './main';
import { mutate, rng } from './mutate';
import { openModel } from '../core/index';
import { encodeModel } from '../core/index';
import { DataType } from '../core/index';
import { attr, buildGraph, buildModel, constant, floatTensor, int64Tensor, node, valueInfo } from '../core/index';
import { runawayLoopModel } from '../companion/server/tiny-models';

const SEED = 20261201;
const dir = mkdtempSync(join(tmpdir(), 'castaway-mutants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ramp = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % 17) / 17 - 0.5);

/** Small models with the structures the engine handles: weights, norms, Softmax, Constants, a Loop body. */
function sources(): [string, Uint8Array][] {
  const mlp = buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 8])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 4])],
    initializers: [floatTensor('w1', [8, 8], ramp(64)), floatTensor('b1', [8], ramp(8)), floatTensor('w2', [8, 4], ramp(32))],
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], { name: '/enc/fc1/MatMul' }),
      node('Add', ['h', 'b1'], ['hb'], { name: '/enc/fc1/Add' }),
      node('Relu', ['hb'], ['r'], { name: '/enc/act' }),
      node('MatMul', ['r', 'w2'], ['z'], { name: '/enc/fc2/MatMul' }),
      node('Softmax', ['z'], ['y'], { name: '/enc/softmax', attributes: [attr.int('axis', -1)] }),
    ],
  });
  const norm = buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, [2, 6])],
    outputs: [valueInfo('y', DataType.FLOAT, [2, 6])],
    initializers: [floatTensor('two', [], [2]), floatTensor('eps', [], [1e-5]), int64Tensor('axes', [1], [-1])],
    nodes: [
      node('ReduceMean', ['x'], ['m'], { name: '/ln_1/ReduceMean', attributes: [attr.ints('axes', [-1])] }),
      node('Sub', ['x', 'm'], ['d'], { name: '/ln_1/Sub' }),
      node('Pow', ['d', 'two'], ['d2'], { name: '/ln_1/Pow' }),
      node('ReduceMean', ['d2'], ['v'], { name: '/ln_1/ReduceMean_1', attributes: [attr.ints('axes', [-1])] }),
      node('Add', ['v', 'eps'], ['ve'], { name: '/ln_1/Add' }),
      node('Sqrt', ['ve'], ['s'], { name: '/ln_1/Sqrt' }),
      node('Div', ['d', 's'], ['n'], { name: '/ln_1/Div' }),
      constant('scale', floatTensor('scale', [6], ramp(6))),
      node('Mul', ['n', 'scale'], ['y'], { name: '/ln_1/Mul' }),
    ],
  });
  const branch = buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, [4]), valueInfo('c', DataType.BOOL, [])],
    outputs: [valueInfo('y', DataType.FLOAT, [4])],
    initializers: [floatTensor('k', [4], [1, 2, 3, 4])],
    nodes: [
      node('If', ['c'], ['y'], {
        name: '/if',
        attributes: [
          attr.graph('then_branch', buildGraph({ name: 'then', outputs: [valueInfo('t', DataType.FLOAT, [4])], nodes: [node('Mul', ['x', 'k'], ['t'])] })),
          attr.graph('else_branch', buildGraph({ name: 'else', outputs: [valueInfo('e', DataType.FLOAT, [4])], nodes: [node('Add', ['x', 'k'], ['e'])] })),
        ],
      }),
    ],
  });
  return [
    ['mlp', encodeModel(mlp)],
    ['norm', encodeModel(norm)],
    ['if', encodeModel(branch)],
    ['loop', runawayLoopModel(3n)],
  ];
}

const FIXTURE = new Uint8Array(readFileSync(new URL('../../fixtures/models/pegasus-small-o18-encoder.onnx', import.meta.url)));

interface Outcome {
  code: number;
  stderr: string;
  ms: number;
}

async function convert(bytes: Uint8Array, i: number): Promise<Outcome> {
  const input = join(dir, `m${i}.onnx`);
  const output = join(dir, `m${i}.out.onnx`);
  writeFileSync(input, bytes);
  let stderr = '';
  const t0 = performance.now();
  const code = await main(['convert', input, '-o', output, '-q', '--keep-io-types', '--pattern', 're:ln_|softmax'], () => undefined, (s) => (stderr += s));
  const ms = performance.now() - t0;
  if (code === EXIT.ok) openModel(new Uint8Array(readFileSync(output))); // the output loads again (throws if not)
  rmSync(input, { force: true });
  rmSync(output, { force: true });
  return { code, stderr, ms };
}

describe('seeded mutation test (CLI convert, in process)', () => {
  it('500 mutants of small models and 40 of a fixture: exit 0 with a loadable model, or 3/4/5 with a message', async () => {
    const r = rng(SEED);
    const models = [...sources(), ...sources()]; // each source twice, so 500 spread over them evenly
    const cases: { source: string; what: string; bytes: Uint8Array }[] = [];
    for (let i = 0; i < 500; i++) {
      const [name, bytes] = models[i % models.length];
      const m = mutate(bytes, r);
      cases.push({ source: name, ...m });
    }
    for (let i = 0; i < 40; i++) cases.push({ source: 'pegasus-small-o18-encoder', ...mutate(FIXTURE, r) });

    const base = process.memoryUsage().rss;
    const counts: Record<number, number> = {};
    for (const [i, c] of cases.entries()) {
      const o = await convert(c.bytes, i);
      const label = `case ${i} (${c.source}, ${c.what}, seed ${SEED}): exit ${o.code} ${o.stderr.trim()}`;
      counts[o.code] = (counts[o.code] ?? 0) + 1;
      expect([EXIT.ok, EXIT.badModel, EXIT.badRecipe, EXIT.io], label).toContain(o.code);
      if (o.code !== EXIT.ok) expect(o.stderr, label).toMatch(/^castaway: \S.*/);
      expect(o.ms, label).toBeLessThan(10_000);
      expect(process.memoryUsage().rss - base, label).toBeLessThan(2 ** 30);
    }
    // the mutations reach past the first check: some models still convert, many fail in different ways
    expect(counts[EXIT.ok] ?? 0).toBeGreaterThan(20);
    expect(counts[EXIT.badModel] ?? 0).toBeGreaterThan(100);
  }, 240_000);
});
