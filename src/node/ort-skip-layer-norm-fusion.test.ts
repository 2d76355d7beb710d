// Why a LayerNormalization fed by a single-use Add is not "fp32 compute" without strict mode
// (plan/fp32-compute.ts): onnxruntime fuses Add + LayerNormalization into SkipLayerNormalization at
// level 'all', at fp16 as well as fp32, and that fused fp16 kernel keeps its statistics in fp16 on CUDA unless
// the session sets enable_skip_layer_norm_strict_mode. Checked here on the CPU EP (the fusion runs for CPU and
// CUDA alike; the CPU EP then runs it in float, having no fp16 MatMul, but the fusion only looks at the
// pattern): the fp16 graph Castaway writes in strict mode fuses; without strict mode the blocked norm stays
// fp32 behind a Cast, which the fusion's pattern does not match.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel, encodeModel, openModel, PRESETS, residualNormModel, type NodeProto } from '../core/index';

const dir = mkdtempSync(join(tmpdir(), 'castaway-sln-fusion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function optimizedNodes(bytes: Uint8Array, name: string): Promise<NodeProto[]> {
  const path = join(dir, `${name}.onnx`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
  await session.release();
  return decodeModel(new Uint8Array(readFileSync(path))).graph?.node ?? [];
}

describe('onnxruntime fuses an fp16 Add + LayerNormalization into SkipLayerNormalization', () => {
  const model = openModel(encodeModel(residualNormModel()));
  const norms = { ...PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe, targetEp: 'cuda' as const };

  it('strict mode: the norm at fp16 I/O becomes one SkipLayerNormalization (fp32 statistics only in strict sessions)', async () => {
    const converted = convertModel(model, { ...norms, skipLayerNormStrictMode: true });
    expect(converted.report.fp32ComputeNodes).toEqual([2]);
    const ops = (await optimizedNodes(converted.bytes, 'strict')).map((n) => n.opType);
    expect(ops).toContain('SkipLayerNormalization');
    expect(ops).not.toContain('LayerNormalization');
  });

  it('default sessions: the blocked norm stays fp32 behind a Cast, out of the fusion\'s reach', async () => {
    const converted = convertModel(model, norms);
    expect(converted.report.fp32ComputeNodes).toEqual([]);
    // the norm is fp32 behind a Cast from the fp16 Add: the fusion's pattern (LayerNormalization input 0
    // straight from an Add) is broken where the Add has an fp16 kernel (CUDA), and the norm runs in float
    expect(converted.report.nodePrecision).toEqual(['low', 'low', 'fp32', 'low']);
    const nodes = decodeModel(converted.bytes).graph?.node ?? [];
    const ln = nodes.find((n) => n.opType === 'LayerNormalization')!;
    expect(nodes.find((n) => n.output?.includes(ln.input![0]))?.opType).toBe('Cast');
  });
});
