// graph_compare.py decides which of Castaway's GPU-matrix cells a re-check re-times (docs/gpu-matrix.md, run 3):
// a cell whose file changed must be found even when no count moved (run 3's gpt2 cw-bf16-norms: same nodes,
// Casts and op types as run 2, its Casts moved and a third of its weights stayed fp32), and the models timed
// beside it must be the same block list's peers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../../../src/node/onnx-checker';

const SCRIPT = fileURLToPath(new URL('./graph_compare.py', import.meta.url));
const pythonAvailable = () => spawnSync(PYTHON, ['-c', 'import json'], { encoding: 'utf8' }).status === 0;

interface Stats { nodes: number; casts: number; bytes: number; ops: Record<string, number>; io?: Record<string, string> }
const g = (nodes: number, casts: number, bytes: number, io?: Record<string, string>): Stats =>
  ({ nodes, casts, bytes, ops: { Cast: casts, MatMul: nodes - casts }, ...(io ? { io } : {}) });

function compare(old: Record<string, Stats>, now: Record<string, Stats>, always = '') {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-gcmp-'));
  writeFileSync(join(dir, 'old.json'), JSON.stringify({ models: old }));
  writeFileSync(join(dir, 'new.json'), JSON.stringify({ models: now }));
  const run = spawnSync(PYTHON, [SCRIPT, join(dir, 'old.json'), join(dir, 'new.json'), '--always', always], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { changed: Record<string, Record<string, unknown>>; same: string[]; new: string[]; time: string[] };
}

// every model of one architecture's folder, as prepare.sh writes them (bf16 for gpt2)
const base: Record<string, Stats> = Object.fromEntries(
  ['fp32', 'opt-fp32', 'ort-default', 'ort-norms', 'ort-block', 'ortopt-default', 'ortopt-norms', 'ortopt-block',
    'cw-default', 'cw-norms', 'cw-strict', 'cw-block', 'cwopt-default', 'cwopt-norms', 'cwopt-strict', 'cwopt-block',
    'cw-bf16-default', 'cw-bf16-norms'].map((m, i) => [m, g(100 + i, i, 1000 + i)]));

describe.runIf(pythonAvailable())('graph_compare.py', () => {
  it('unchanged models: nothing to time', () => {
    const r = compare(base, base);
    expect(r.changed).toEqual({});
    expect(r.time).toEqual([]);
    expect(r.same).toHaveLength(10);
  });

  it('a file that changed with the same counts is a changed cell (moved Casts, weights kept fp32)', () => {
    const now = { ...base, 'cw-bf16-norms': { ...base['cw-bf16-norms'], bytes: base['cw-bf16-norms'].bytes + 77_196_093 } };
    const r = compare(base, now);
    expect(Object.keys(r.changed)).toEqual(['cw-bf16-norms']);
    expect(r.changed['cw-bf16-norms']).toEqual({ bytes: [1017, 77_197_110] });
    // bf16 cells are timed beside Castaway's fp16 default models (there is no onnxruntime bf16 peer)
    expect(r.time).toEqual(['cw-bf16-norms', 'cw-default', 'cwopt-default', 'fp32', 'opt-fp32']);
  });

  it('a strict-recipe cell is timed beside onnxruntime\'s norms models, a block cell beside its block models', () => {
    const now = { ...base, 'cw-strict': g(111, 11, 2000), 'cwopt-block': g(116, 16, 3000) };
    const r = compare(base, now);
    expect(Object.keys(r.changed).sort()).toEqual(['cw-strict', 'cwopt-block']);
    expect(r.changed['cw-strict']).toMatchObject({ nodes: [110, 111], casts: [10, 11], ops: { Cast: [10, 11] } });
    expect(r.time).toEqual(['cw-block', 'cw-strict', 'cwopt-block', 'cwopt-strict', 'fp32', 'opt-fp32',
      'ort-block', 'ort-norms', 'ortopt-block', 'ortopt-norms']);
  });

  it('graph I/O types count only where both runs recorded them', () => {
    const io16 = { x: 'float16', y: 'float16' };
    const old = { ...base, 'cw-block': { ...base['cw-block'], io: { x: 'float16', y: 'float' } } };
    const r = compare(old, { ...base, 'cw-block': { ...base['cw-block'], io: io16 } });
    expect(r.changed['cw-block']).toEqual({ io: [{ x: 'float16', y: 'float' }, io16] });
    // run 2 recorded no I/O types: not a change by itself
    expect(compare(base, { ...base, 'cw-block': { ...base['cw-block'], io: io16 } }).changed).toEqual({});
  });

  it('--always times a cell that did not change, and a model the old run lacks is new', () => {
    const now = { ...base, 'cwopt-bf16-norms': g(200, 20, 5000) };
    const r = compare(base, now, 'cw-bf16-default');
    expect(r.changed).toEqual({});
    expect(r.new).toEqual(['cwopt-bf16-norms']);
    // cwopt-bf16-default is not in this folder: nothing to time for it
    expect(r.time).toEqual(['cw-bf16-default', 'cw-bf16-norms', 'cw-default', 'cwopt-bf16-norms', 'cwopt-default', 'fp32', 'opt-fp32']);
  });
});
