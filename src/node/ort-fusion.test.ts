// What onnxruntime's own optimizer makes of Castaway's fp16 model (issue 9, item 3): with
// graphOptimizationLevel 'all' on the CPU EP it must fuse the LayerNorm subgraphs it fuses in the fp32
// model. It did not while BERT's layer_norm_eps (1e-12) was flushed to 0 in fp16: onnxruntime's
// NoopElimination (a level-1 rule; noop_elimination.cc accepts a FLOAT16 zero) deletes Add(var, 0), and
// LayerNormFusion (level 2; layer_norm_fusion.cc, "Traceback the sqrt node to find add --> sqrt") then
// finds ReduceMean, not Add, above Sqrt: five kernels per norm stay (issue 9's 98 ReduceMean, 49 Pow, ...).
// The graphs here keep to ops with float16 kernels on onnxruntime's CPU EP: around an op without one
// (Softmax, Erf) its InsertCastTransformer moves the region back to fp32, which blocks the same fusions in
// any fp16 model, onnxruntime's tool's too (a CPU artefact: CUDA has fp16 kernels for all of them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, openModel } from '../core/index';
import { ORT_DEFAULT_OP_BLOCK_LIST } from '../core/index';
import { decodeModel, encodeModel } from '../core/index';
import { TorchGraph } from '../core/index';
import { compareModels } from './ort-node';

const dir = mkdtempSync(join(tmpdir(), 'castaway-fusion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Op types of the graph onnxruntime runs after its optimizer at `level`, counted. */
async function optimizedOps(bytes: Uint8Array, name: string, level: 'basic' | 'all' = 'all'): Promise<Record<string, number>> {
  const path = join(dir, `${name}.${level}.onnx`);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: level,
    optimizedModelFilePath: path,
    logSeverityLevel: 3,
  });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of decodeModel(new Uint8Array(readFileSync(path))).graph?.node ?? []) counts[n.opType ?? ''] = (counts[n.opType ?? ''] ?? 0) + 1;
  return counts;
}

/** x -> MatMul [-> Add(x): a residual] -> LayerNorm (eps 1e-12) -> MatMul. */
function normModel(skip: boolean, constants: boolean): Uint8Array {
  const g = new TorchGraph({ constants });
  let h = g.matmul('x', 'dense');
  if (skip) h = g.add(h, 'x', 'residual');
  return encodeModel(g.model([g.matmul(g.layerNorm(h, 'LayerNorm'), 'out')]));
}

describe.each([
  { skip: false, constants: false, keepIoTypes: false, fused: 'LayerNormalization' },
  { skip: false, constants: true, keepIoTypes: false, fused: 'LayerNormalization' },
  { skip: false, constants: false, keepIoTypes: true, fused: 'LayerNormalization' },
  { skip: true, constants: false, keepIoTypes: false, fused: 'SkipLayerNormalization' },
  { skip: true, constants: true, keepIoTypes: true, fused: 'SkipLayerNormalization' },
])('onnxruntime (CPU) fuses $fused in Castaway\'s fp16 model (eps 1e-12 as Constant: $constants, keep_io_types: $keepIoTypes)', ({ skip, constants, keepIoTypes, fused }) => {
  const fp32 = normModel(skip, constants);
  const converted = convertModel(openModel(fp32), { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], keepIoTypes });
  const tag = `${skip ? 'skip' : 'norm'}-${constants ? 'const' : 'init'}-${keepIoTypes ? 'keepio' : 'fp16io'}`;

  it('raises the epsilon to 2^-24 and says so', () => {
    expect(converted.report.raisedValues).toBe(1);
    expect(converted.report.touchedTensors).toEqual([{ name: 'LayerNorm_eps', clamped: 0, raised: 1 }]);
  });

  it('keeps Add(eps) through onnxruntime\'s level-1 rules (NoopElimination removes an Add of 0)', async () => {
    const ops = await optimizedOps(converted.bytes, `castaway-${tag}`, 'basic');
    expect(ops.Sqrt).toBe(1);
    expect(ops.Add).toBe(skip ? 3 : 2); // eps, beta (and the residual)
  });

  it(`fuses as in the fp32 model: one ${fused}, no ReduceMean, Pow or Sqrt left`, async () => {
    const reference = await optimizedOps(fp32, `fp32-${tag}`);
    const ours = await optimizedOps(converted.bytes, `castaway-${tag}`);
    expect(reference[fused]).toBe(1);
    expect(ours[fused]).toBe(1);
    for (const op of ['ReduceMean', 'Pow', 'Sqrt', 'Div']) expect(ours[op] ?? 0).toBe(0);
  });

  it('runs close to fp32, also on a row with zero variance', async () => {
    // The first row is all zeros, so is its norm's input: variance 0, which an epsilon of 0 turns into NaN.
    const x = new Float32Array(2 * 5 * 16).map((_, i) => (i < 16 ? 0 : Math.sin(i * 0.37) * 2));
    const [cmp] = await compareModels(fp32, converted.bytes, { x: new ort.Tensor('float32', x, [2, 5, 16]) });
    expect(cmp.nonFinite).toBe(0);
    expect(cmp.cosine).toBeGreaterThan(0.999);
  });
});
