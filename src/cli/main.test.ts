// The CLI as a user runs it: real files in a temp folder, exit codes and messages checked.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from './main';
import { decodeModel, encodeModel } from '../core/index';
import { DataType } from '../core/index';
import { buildModel, node, residualNormModel, valueInfo, vitLikeBlockList, vitLikeModel } from '../core/index';

const fixture = new URL('../../fixtures/models/pegasus-small-o14-encoder.onnx', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'castaway-cli-'));

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (s) => (stdout += s), (s) => (stderr += s));
  return { code, stdout, stderr };
}

describe('castaway CLI', () => {
  it('converts with onnxruntime-style flags and reports both counts', async () => {
    const out = join(dir, 'out.onnx');
    const r = await run('convert', fixture, '-o', out, '--op-block-list', 'Softmax,Pow', '--keep-io-types');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/\d+ Casts \(\d+ inserted; onnxruntime's tool: \d+\)/);
    expect(r.stderr).toMatch(/reading .*\n?.*indexing/); // the progress lines
    const model = decodeModel(new Uint8Array(readFileSync(out)));
    expect(model.graph?.node?.some((n) => n.opType === 'Cast')).toBe(true);
  });

  it('--skip-layer-norm-strict-mode: blocked SkipLayerNormalization at fp16 I/O, and the session option named', async () => {
    const model = join(dir, 'sln.onnx');
    writeFileSync(model, encodeModel(residualNormModel({ skip: true })));
    const flags = ['--op-block-list', 'SkipLayerNormalization', '--target-ep', 'cuda'];
    const plain = await run('convert', model, '-o', join(dir, 'sln-plain.onnx'), ...flags);
    expect(plain.code).toBe(EXIT.ok);
    expect(plain.stdout).toMatch(/^\S+: 3 Casts/);
    expect(plain.stdout).not.toMatch(/enable_skip_layer_norm_strict_mode/);
    const strict = await run('convert', model, '-o', join(dir, 'sln-strict.onnx'), ...flags, '--skip-layer-norm-strict-mode');
    expect(strict.code).toBe(EXIT.ok);
    expect(strict.stdout).toMatch(/^\S+: 0 Casts/);
    expect(strict.stdout).toMatch(/session must set CUDA EP: enable_skip_layer_norm_strict_mode=1/);
    const inspect = await run('inspect', model, ...flags, '--skip-layer-norm-strict-mode');
    expect(inspect.stdout).toMatch(/session must set CUDA EP: enable_skip_layer_norm_strict_mode=1/);
  });

  it('--objective bytes: names the symbolic dims it could not size and the flag that sizes them', async () => {
    const model = join(dir, 'vit-like.onnx');
    writeFileSync(model, encodeModel(vitLikeModel()));
    const flags = ['--objective', 'bytes', '--op-block-list', vitLikeBlockList(vitLikeModel()).join(','), '--target-ep', 'cuda'];
    const unbound = await run('convert', model, '-o', join(dir, 'vit-unbound.onnx'), ...flags);
    expect(unbound.code).toBe(EXIT.ok);
    expect(unbound.stdout).toMatch(/bytes objective: symbolic dim batch not bound .* assumed 1 \(pass --dims batch=SIZE\)/);
    expect((await run('inspect', model, ...flags)).stdout).toMatch(/symbolic dim batch not bound/);
    const bound = await run('convert', model, '-o', join(dir, 'vit-bound.onnx'), ...flags, '--dims', 'batch=32');
    expect(bound.stdout).toMatch(/^\S+: 2 Casts/);
    expect(bound.stdout).not.toMatch(/symbolic dim/);
  });

  it('gives the same bytes from a recipe file as from the equivalent flags', async () => {
    const recipe = join(dir, 'recipe.json');
    writeFileSync(recipe, JSON.stringify({ opBlockList: ['Softmax', 'Pow'], keepIoTypes: true }));
    const a = join(dir, 'a.onnx');
    const b = join(dir, 'b.onnx');
    expect((await run('convert', fixture, '-o', a, '--recipe', recipe, '-q')).code).toBe(0);
    expect((await run('convert', fixture, '-o', b, '--op-block-list', 'Pow', '--op-block-list', 'Softmax', '--keep-io-types', '-q')).code).toBe(0);
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
  });

  it('converts with --low-precision bf16: bfloat16 weights and Casts, no clamping, same bytes as the recipe field', async () => {
    const a = join(dir, 'bf16-flag.onnx');
    const b = join(dir, 'bf16-recipe.onnx');
    const r = await run('convert', fixture, '-o', a, '--low-precision', 'bf16', '--op-block-list', 'Softmax');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain("bf16: no clamping needed (float32's range)");
    const graph = decodeModel(new Uint8Array(readFileSync(a))).graph!;
    expect(graph.initializer?.some((t) => t.dataType === DataType.BFLOAT16)).toBe(true);
    expect(graph.initializer?.some((t) => t.dataType === DataType.FLOAT16)).toBe(false);
    expect(graph.node?.filter((n) => n.opType === 'Cast').map((n) => Number(n.attribute?.[0]?.i))).toContain(DataType.BFLOAT16);
    const recipe = join(dir, 'bf16.json');
    writeFileSync(recipe, JSON.stringify({ opBlockList: ['Softmax'], lowPrecision: 'bf16' }));
    expect((await run('convert', fixture, '-o', b, '--recipe', recipe, '-q')).code).toBe(0);
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    expect((await run('convert', fixture, '-o', join(dir, 'x.onnx'), '--low-precision', 'fp8')).code).toBe(EXIT.badRecipe);
  });

  it('inspects: op types, float values, Casts next to onnxruntime’s count', async () => {
    const r = await run('inspect', fixture, '--op-block-list', 'Softmax');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/MatMul\s+\d+/);
    expect(r.stdout).toMatch(/float32 values: \d+/);
    expect(r.stdout).toMatch(/Casts needed: \d+ .*onnxruntime's convert_float_to_float16: \d+/);
    const json = await run('inspect', fixture, '--json');
    expect(JSON.parse(json.stdout).report.castCount).toBeTypeOf('number');
  });

  it('writes and reads external data: convert to .onnx + .data, then convert that again', async () => {
    const out = join(dir, 'ext.onnx');
    expect((await run('convert', fixture, '-o', out, '--external-data', '-q')).code).toBe(0);
    expect(existsSync(`${out}.data`)).toBe(true);
    expect(statSync(out).size).toBeLessThan(statSync(fixture).size / 4);
    const again = join(dir, 'again.onnx');
    const r = await run('convert', out, '-o', again, '--keep-io-types', '-q');
    expect(r.code).toBe(0);
    expect(existsSync(`${again}.data`)).toBe(true);
    // The reference output without external data: same Cast count either way.
    const inspect = await run('inspect', out, '--json');
    expect(JSON.parse(inspect.stdout).report.castCount).toBeTypeOf('number');
  });

  it('exits 5 when an external data file is missing', async () => {
    const out = join(dir, 'ext2.onnx');
    expect((await run('convert', fixture, '-o', out, '--external-data', '-q')).code).toBe(0);
    rmSync(`${out}.data`);
    const r = await run('inspect', out);
    expect(r.code).toBe(EXIT.io);
    expect(r.stderr).toMatch(/ext2\.onnx\.data/);
  });

  it('exits 3 with a clear message for a file that is not ONNX', async () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'this is not a model at all, just some text');
    const r = await run('convert', bad, '-o', join(dir, 'x.onnx'));
    expect(r.code).toBe(EXIT.badModel);
    expect(r.stderr).toMatch(/castaway: .*\[(not-protobuf|not-onnx)\]/);
  });

  it('exits 3 for a truncated model, naming where', async () => {
    const cut = join(dir, 'cut.onnx');
    writeFileSync(cut, readFileSync(fixture).subarray(0, 5000));
    const r = await run('inspect', cut);
    expect(r.code).toBe(EXIT.badModel);
    expect(r.stderr).toMatch(/truncated|not-onnx/);
  });

  it('exits 5 for a missing file, 4 for a bad recipe, 2 for bad usage', async () => {
    expect((await run('inspect', join(dir, 'nope.onnx'))).code).toBe(EXIT.io);
    const recipe = join(dir, 'bad-recipe.json');
    writeFileSync(recipe, JSON.stringify({ opBlockList: 'Softmax' }));
    const bad = await run('convert', fixture, '-o', join(dir, 'y.onnx'), '--recipe', recipe);
    expect(bad.code).toBe(EXIT.badRecipe);
    expect(bad.stderr).toMatch(/opBlockList/);
    expect((await run('convert', fixture)).code).toBe(EXIT.usage);
    expect((await run('frobnicate')).code).toBe(EXIT.usage);
    expect((await run('convert', fixture, '-o', join(dir, 'z.onnx'), '--objective', 'speed')).code).toBe(EXIT.badRecipe);
  });
});

describe('castaway CLI: name rules cannot hang it', () => {
  // node names made for backtracking: 27 and 300 'a's with no match at the end
  const model = buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, [4])],
    outputs: [valueInfo('y', DataType.FLOAT, [4])],
    nodes: [
      node('Relu', ['x'], ['h'], { name: 'a'.repeat(27) + '!' }),
      node('Relu', ['h'], ['y'], { name: 'a'.repeat(300) }),
    ],
  });
  const file = join(dir, 'long-names.onnx');
  writeFileSync(file, encodeModel(model));

  it('converts with adversarial rules in a recipe in bounded time', async () => {
    const recipe = join(dir, 'evil-recipe.json');
    writeFileSync(recipe, JSON.stringify({ patterns: ['re:(a+)+$', '*a*a*a*a*a*b', 're:(a|aa)*c'] }));
    const t0 = performance.now();
    const r = await run('convert', file, '-o', join(dir, 'long-names.fp16.onnx'), '--recipe', recipe, '-q');
    expect(r.code).toBe(EXIT.ok);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('exits 4 naming a rule that needs backtracking', async () => {
    const r = await run('convert', file, '-o', join(dir, 'z.onnx'), '--pattern', 're:(a)\\1');
    expect(r.code).toBe(EXIT.badRecipe);
    expect(r.stderr).toMatch(/re:\(a\)\\1.*backreferences and lookaround are not supported/);
  });
});
