// Issue 9, item 1: what onnxruntime loads, Castaway opens, converts and writes back loadable. The models
// are shaped like onnxruntime's transformer optimizer output (src/core/testing/ort-optimized.ts): ai.onnx
// at opset 14 with LayerNormalization / SimplifiedLayerNormalization (onnxruntime registers both from
// opset 1) and com.microsoft fusions. onnx.checker rejects the opset-14 ones before and after conversion
// alike ("No Op registered for LayerNormalization with domain_version of 14": onnx has it from 17 and has
// no SimplifiedLayerNormalization), so for them the check is that onnxruntime loads and runs the result;
// at opset 17 the checker accepts the converted model (it skips com.microsoft, a domain it does not know).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { Recipe } from '../core/index';
import { convertModel, openModel, planModel, PRESETS } from '../core/index';
import { ORT_DEFAULT_OP_BLOCK_LIST } from '../core/index';
import { encodeModel } from '../core/index';
import { ortOptimizedBertModel, ortOptimizedLlamaModel } from '../core/index';
import { checkerAvailable, checkModels } from './onnx-checker';
import { compareModels, type Feeds } from './ort-node';

const dir = mkdtempSync(join(tmpdir(), 'castaway-ort-optimized-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x = new ort.Tensor('float32', new Float32Array(2 * 5 * 16).map((_, i) => Math.sin(i * 0.37) * 2), [2, 5, 16]);
const positionIds = new ort.Tensor('int64', BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i % 5)), [2, 5]);

const MODELS = [
  { name: 'bert-opset14', bytes: encodeModel(ortOptimizedBertModel()), feeds: { x } as Feeds, checker: 'No Op registered for LayerNormalization with domain_version of 14' },
  { name: 'bert-opset17', bytes: encodeModel(ortOptimizedBertModel({ opset: 17 })), feeds: { x } as Feeds, checker: 'ok' },
  { name: 'llama-opset14', bytes: encodeModel(ortOptimizedLlamaModel()), feeds: { x, position_ids: positionIds } as Feeds, checker: 'No Op registered for SimplifiedLayerNormalization with domain_version of 14' },
];

const normsFp32 = PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe;
const RECIPES: { name: string; recipe: Partial<Recipe> }[] = [
  { name: 'onnxruntime default, fp16 I/O', recipe: { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST] } },
  { name: 'onnxruntime default, keep_io_types', recipe: { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], keepIoTypes: true } },
  { name: 'norms and Softmax in fp32', recipe: normsFp32 },
  { name: 'target cuda', recipe: { targetEp: 'cuda' } },
];

describe.each(MODELS)('$name (onnxruntime transformer-optimizer style)', ({ name, bytes, feeds, checker }) => {
  it('opens and plans: every op is typed, nothing is refused', () => {
    const model = openModel(bytes);
    const report = planModel(model, { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST] });
    expect(report.nodePrecision.every((p) => p === 'low')).toBe(true);
    expect(report.castCount).toBe(0);
  });

  it.each(RECIPES)('converts with $name: onnxruntime loads it and runs it close to fp32', async ({ recipe }) => {
    const converted = convertModel(openModel(bytes), recipe);
    const [cmp] = await compareModels(bytes, converted.bytes, feeds);
    expect(cmp.nonFinite).toBe(0);
    expect(cmp.cosine).toBeGreaterThan(0.9999);
  });

  it.runIf(checkerAvailable())(`onnx.checker: ${checker === 'ok' ? 'accepts the converted model' : 'rejects the input and the output alike'}`, () => {
    const converted = convertModel(openModel(bytes), { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], keepIoTypes: true });
    const paths = [join(dir, `${name}.onnx`), join(dir, `${name}.fp16.onnx`)];
    writeFileSync(paths[0], bytes);
    writeFileSync(paths[1], converted.bytes);
    const [input, output] = checkModels(paths);
    if (checker === 'ok') {
      expect(input.status).toBe('ok');
      expect(output.status).toBe('ok');
    } else {
      expect(input.error).toContain(checker);
      expect(output.error).toBe(input.error);
    }
  });
});

describe('norms blocked in fp32 on an optimizer-style model', () => {
  it('keeps LayerNormalization, SkipLayerNormalization fp32 and casts around them', () => {
    const model = openModel(MODELS[0].bytes);
    const report = planModel(model, normsFp32);
    const summary = model.summary();
    const precisionOf = (op: string) => summary.nodes.filter((n) => n.opType === op).map((n) => report.nodePrecision[n.index]);
    expect(precisionOf('LayerNormalization')).toEqual(['fp32']);
    expect(precisionOf('SkipLayerNormalization')).toEqual(['fp32', 'fp32']);
    expect(precisionOf('Attention')).toEqual(['low']);
    expect(report.castCount).toBeGreaterThan(0);
  });
});
