// CPU check of the GPU matrix's three kernel-parity causes and the fp32-output finding (docs/gpu-matrix.md,
// "After the run"): converts small models with the engine at --engine (default: this checkout's; pass another
// checkout's src/core/index.ts to compare a version from before the fixes), lets onnxruntime-node's CPU EP
// optimize each at level 'all' (optimizedModelFilePath) and prints op counts and the facts each cause is about.
//   npx tsx scripts/cpu-parity-check.ts [--engine /path/to/src/core/index.ts]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import * as here from '../src/core/index';

const { values } = parseArgs({ options: { engine: { type: 'string' } } });
const engine = (values.engine ? await import(pathToFileURL(resolve(values.engine)).href) : here) as typeof here;
const { DataType, ORT_DEFAULT_OP_BLOCK_LIST, convEncoderModel, ortOptimizedBertModel, ortOptimizedUnetModel, whisperLikeEncoderModel } = here;
const dir = mkdtempSync(join(tmpdir(), 'castaway-cpu-parity-'));

async function optimizedOps(bytes: Uint8Array, name: string): Promise<Record<string, number>> {
  const path = join(dir, `${name}.onnx`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of here.decodeModel(new Uint8Array(readFileSync(path))).graph?.node ?? []) {
    const key = `${n.domain ? `${n.domain}:` : ''}${n.opType}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const show = (c: Record<string, number>) => Object.entries(c).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
/** issue #15490's block list: every op type of the model except Identity, Constant, Gather, Shape. */
const issueBlockList = (bytes: Uint8Array) => {
  const spared = new Set(['Identity', 'Constant', 'Gather', 'Shape']);
  return [...new Set(engine.openModel(bytes).summary().nodes.map((n) => n.opType))].filter((op) => !spared.has(op)).sort();
};

// 1. fp32-compute: optimizer-style BERT (Attention with its Softmax inside, LayerNormalization, SkipLayerNormalization),
//    issue #15490 block list, CUDA target: every node blocked, so the best plan has no Cast at all.
{
  const bytes = here.encodeModel(ortOptimizedBertModel());
  const recipe = { ...here.DEFAULT_RECIPE, opBlockList: issueBlockList(bytes), keepIoTypes: true, targetEp: 'cuda' as const };
  const out = engine.convertModel(engine.openModel(bytes), recipe);
  const ops = await optimizedOps(out.bytes, 'bert-issue');
  console.log(`1. bert (optimizer output), issue block list, cuda: Castaway Casts ${out.report.castCount} (fp32-compute nodes ${out.report.fp32ComputeNodes?.length ?? '-'}), onnxruntime's tool modelled ${out.report.ortReferenceCasts}; onnxruntime CPU-optimized graph: ${total(ops)} nodes, Cast ${ops.Cast ?? 0}`);
}

// 2. shapes after Conv: a Whisper-like front end; what value_info Castaway writes, and what onnxruntime makes of it.
{
  const bytes = here.encodeModel(convEncoderModel());
  const out = engine.convertModel(engine.openModel(bytes), { ...here.DEFAULT_RECIPE, opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], keepIoTypes: true, targetEp: 'cuda' });
  const vi = here.decodeModel(out.bytes).graph?.valueInfo ?? [];
  const shaped = vi.filter((v) => v.type?.tensorType?.shape).length;
  const ops = await optimizedOps(out.bytes, 'conv-encoder');
  console.log(`2. conv encoder, onnxruntime's default block list: value_info ${vi.length}, with shapes ${shaped}; onnxruntime CPU-optimized graph: ${total(ops)} nodes (${show(ops)})`);
}

// 2b. Whisper-like encoder layers (testing/conv-encoder.ts): does onnxruntime fuse SkipLayerNormalization?
{
  // Every op blocked: the written model is the fp32 graph plus Castaway's value_info, so the CPU EP's
  // fusions see exactly what the shapes change (CPU fp16 kernels would blur it with their own Casts).
  const bytes = here.encodeModel(whisperLikeEncoderModel());
  const recipe = { ...here.DEFAULT_RECIPE, opBlockList: issueBlockList(bytes).concat('Gather', 'Shape'), keepIoTypes: true, targetEp: 'cuda' as const };
  const model = engine.openModel(bytes);
  const out = engine.convertModel(model, recipe);
  const bare = engine.convertModel(model, recipe, { valueInfo: false });
  const vi = here.decodeModel(out.bytes).graph?.valueInfo ?? [];
  const ops = await optimizedOps(out.bytes, 'whisper-like');
  const none = await optimizedOps(bare.bytes, 'whisper-like-no-vi');
  console.log(`2b. whisper-like layers, all fp32: value_info ${vi.length}, with shapes ${vi.filter((v) => v.type?.tensorType?.shape).length}; onnxruntime CPU-optimized graph with Castaway's value_info: ${total(ops)} nodes (${show(ops)}); without value_info: ${total(none)} nodes (${show(none)})`);
}

// 3. GroupNorm gamma/beta (the CPU EP has no GroupNorm kernel: the file is checked, not run).
{
  const bytes = here.encodeModel(ortOptimizedUnetModel());
  const out = here.decodeModel(engine.convertModel(engine.openModel(bytes), { ...here.DEFAULT_RECIPE, opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' }).bytes);
  const types = new Map((out.graph?.initializer ?? []).map((t) => [t.name, t.dataType === DataType.FLOAT ? 'float32' : t.dataType === DataType.FLOAT16 ? 'float16' : String(t.dataType)]));
  console.log(`3. unet (optimizer output), default block list, cuda: GroupNorm gamma ${types.get('gn_g')}, beta ${types.get('gn_b')}`);
}

// 4. keepIoTypes off: the issue block list on the whisper-like model, bytes objective at batch 8 x 3000 frames.
{
  const bytes = here.encodeModel(whisperLikeEncoderModel());
  for (const objective of ['nodes', 'bytes'] as const) {
    const recipe = { ...here.DEFAULT_RECIPE, opBlockList: issueBlockList(bytes), keepIoTypes: false, targetEp: 'cuda' as const, objective, dims: { batch: 8, frames: 3000, enc_frames: 1500 } };
    const out = engine.convertModel(engine.openModel(bytes), recipe);
    const model = here.decodeModel(out.bytes);
    const outType = model.graph?.output?.[0].type?.tensorType?.elemType === DataType.FLOAT16 ? 'float16' : 'float32';
    const ops = await optimizedOps(out.bytes, `whisper-like-io16-${objective}`);
    console.log(`4. whisper-like, issue block list, keepIoTypes off, objective ${objective}: Casts ${out.report.castCount}, graph output ${outType}; onnxruntime CPU-optimized graph: ${total(ops)} nodes, Cast ${ops.Cast ?? 0}`);
  }
}
rmSync(dir, { recursive: true, force: true });
