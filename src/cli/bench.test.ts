// `castaway bench` in-process, CPU EP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePairs, runBenchCommand, type BenchReport } from './bench.js';
import { runawayLoopModel } from '../companion/server/tiny-models.js';

const PEGASUS = fileURLToPath(new URL('../../fixtures/models/pegasus-small-o14-encoder.onnx', import.meta.url));

describe('castaway bench', () => {
  it('times several models on the same inputs and compares outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-'));
    const out = join(dir, 'r.json');
    const lines: string[] = [];
    const code = await runBenchCommand(
      [PEGASUS, PEGASUS, '--ep', 'cpu', '--dims', 'batch=1,seq=16', '--runs', '3', '--warmup', '1', '--labels', 'a,b', '--compare', '--json', out],
      (s) => lines.push(s),
    );
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(r.ep).toBe('cpu');
    expect(r.rows.map((x) => x.label)).toEqual(['a', 'b']);
    expect(r.rows[0].bench?.timesMs).toHaveLength(3);
    expect(r.rows[1].errors?.last_hidden_state.maxAbs).toBe(0);
    expect(r.inputs?.map((i) => i.dims)).toEqual([
      [1, 16],
      [1, 16],
    ]);
    expect(lines.join('\n')).toMatch(/median ms.*p90 ms/);
  });

  it('interleaves rounds with all models loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-'));
    const out = join(dir, 'r.json');
    const code = await runBenchCommand(
      [PEGASUS, PEGASUS, PEGASUS, '--ep', 'cpu', '--dims', 'batch=1,seq=8', '--runs', '6', '--rounds', '3', '--warmup', '0', '--compare', '--json', out],
      () => undefined,
    );
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(r.rounds).toBe(3);
    for (const row of r.rows) expect(row.bench?.timesMs).toHaveLength(6);
    expect(r.rows[0].speedup).toBe(1);
    expect(r.rows[2].errors?.last_hidden_state.maxAbs).toBe(0);
  });

  it('pairs models by round and writes outputs into reused buffers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-'));
    const out = join(dir, 'r.json');
    const lines: string[] = [];
    const args = [PEGASUS, PEGASUS, '--ep', 'cpu', '--dims', 'batch=1,seq=8', '--runs', '10', '--rounds', '5', '--warmup', '0'];
    const code = await runBenchCommand([...args, '--labels', 'a,b', '--pairs', 'b:a,a:b', '--reuse-outputs', '--json', out], (s) =>
      lines.push(s),
    );
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(r.reuseOutputs).toBe(true);
    expect(r.rows[1].roundsMs?.map((x) => x.length)).toEqual([2, 2, 2, 2, 2]);
    expect(r.rows[1].paired?.rounds).toBe(5);
    expect(r.pairs?.map((p) => [p.model, p.baseline, p.rounds])).toEqual([
      ['b', 'a', 5],
      ['a', 'b', 5],
    ]);
    // the same two series seen from either side (odd round count): reciprocal speed-ups
    expect(r.pairs![0].speedup * r.pairs![1].speedup).toBeCloseTo(1, 10);
    expect(lines.join('\n')).toMatch(/b vs a: [\d.]+x \(95% CI/);
    expect(lines.join('\n')).toMatch(/outputs into reused buffers/);
    // pairs name labels that exist and need rounds
    expect(await runBenchCommand([...args, '--labels', 'a,b', '--pairs', 'a:c'], () => undefined)).toBe(2);
    expect(await runBenchCommand([PEGASUS, PEGASUS, '--ep', 'cpu', '--labels', 'a,b', '--pairs', 'a:b'], () => undefined)).toBe(2);
    // the EP and the optimization level come from the protocol's lists, the same the companion checks
    expect(await runBenchCommand([...args, '--ep', 'tpu'], () => undefined)).toBe(2);
    expect(await runBenchCommand([...args, '--opt-level', 'max'], () => undefined)).toBe(2);
    expect(await runBenchCommand([...args, '--opt-level', 'extended', '--runs', '1', '--rounds', '1'], () => undefined)).toBe(0);
  });

  it('exits 2 for a missing dim or EP, 3 for a bad model, 5 for a missing file (README exit codes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-'));
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    const lines: string[] = [];
    expect(await runBenchCommand([PEGASUS, '--ep', 'cpu', '--dims', 'batch=1'], (s) => lines.push(s))).toBe(2);
    expect(lines.join('\n')).toMatch(/symbolic dim 'seq'/);
    expect(await runBenchCommand([bad, '--ep', 'cpu'], (s) => lines.push(s))).toBe(3);
    expect(lines.join('\n')).toMatch(/protobuf parsing failed/i);
    expect(await runBenchCommand([join(dir, 'missing.onnx'), '--ep', 'cpu'], (s) => lines.push(s))).toBe(5);
    expect(lines.join('\n')).toMatch(/cannot read .*missing\.onnx/);
    const cuda: string[] = [];
    process.env.CASTAWAY_DISABLE_CUDA = '1';
    try {
      expect(await runBenchCommand([PEGASUS, '--ep', 'cuda', '--dims', 'batch=1,seq=4'], (s) => cuda.push(s))).toBe(2);
    } finally {
      delete process.env.CASTAWAY_DISABLE_CUDA;
    }
    expect(cuda.join('\n')).toMatch(/CUDA EP unavailable/);
    expect(await runBenchCommand(['--dims', 'x'], () => undefined)).toBe(2);
  });

  it('models for tests are valid for onnxruntime (the runaway loop ends when small)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-'));
    const f = join(dir, 'loop.onnx');
    writeFileSync(f, runawayLoopModel(10n));
    expect(await runBenchCommand([f, '--ep', 'cpu', '--dims', 'n=4', '--runs', '1'], () => undefined)).toBe(0);
  });
});

describe('parsePairs', () => {
  it('reads model:baseline pairs of known labels', () => {
    expect(parsePairs('cw:ort, x:cw', ['ort', 'cw', 'x'])).toEqual([
      ['cw', 'ort'],
      ['x', 'cw'],
    ]);
    expect(() => parsePairs('cw-ort', ['cw', 'ort'])).toThrow(/not model:baseline/);
    expect(() => parsePairs('cw:nope', ['cw', 'ort'])).toThrow(/no model labelled 'nope'/);
  });
});
