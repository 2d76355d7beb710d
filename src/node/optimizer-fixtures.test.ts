// Issue 9 item 1: "the models that onnxruntime's transformer optimizer writes are fixtures and tests".
// fixtures/optimizer/ holds the optimizer's fp32 output for tiny configs of six architectures (bert, gpt2, t5,
// vit, clip, unet model types; how they were made: fixtures/optimizer/README.md). Each opens in Castaway,
// converts with the default recipe for target cuda and target any, passes onnx.checker as far as onnx 1.12
// can check it (all files in one checker process), and runs in onnxruntime-node's CPU EP close to its fp32 original where that EP has the kernels.
//
// onnx 1.12 cannot check any of them as written: onnxruntime's optimizer emits LayerNormalization (and, for
// t5, SimplifiedLayerNormalization) in the ai.onnx domain at opset 14, which onnxruntime registers below
// opset 17 and onnx does not ("No Op registered for LayerNormalization with domain_version of 14", the fp32
// originals fail the same way). So the checker sees a copy in which those nodes are moved to com.microsoft (a
// domain it skips): everything else, Casts, types and graph structure, is checked in full.
// The UNet cannot run on the CPU EP: its GroupNorm, SkipGroupNorm and NhwcConv (com.microsoft) have CUDA
// kernels only; it is opened, converted and checked, not run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel, DEFAULT_RECIPE, encodeModel, openModel, type TargetEp } from '../core/index';
import { checkerAvailable, checkModels } from './onnx-checker';
import { REFERENCE_SESSION, compareModels, type Feeds } from './ort-node';

const dir = mkdtempSync(join(tmpdir(), 'castaway-optimizer-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Meta {
  arch: string;
  model_type: string;
  vocab?: number;
  inputs: { name: string; kind: 'ids' | 'ones' | 'normal' | 'timestep' }[];
}

const FIXTURES = ['bert-base', 'gpt2', 't5', 'vit', 'clip', 'unet'];
/** Op types with no onnxruntime CPU kernel in a fixture: it is not run here. */
const CPU_MISSING: Record<string, string> = { unet: 'GroupNorm, SkipGroupNorm, NhwcConv (CUDA only)' };
/** ai.onnx ops onnxruntime registers below opset 17 and onnx 1.12 does not know there. */
const ORT_ONLY_ONNX_OPS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization']);

const fixture = (name: string) => new URL(`../../fixtures/optimizer/${name}`, import.meta.url).pathname;

/** Deterministic feeds from the fixture's meta.json: batch 1, 16 tokens (decoder 8), images at their size. */
function feedsFor(session: ort.InferenceSession, meta: Meta): Feeds {
  const feeds: Feeds = {};
  const dims: Record<string, number> = { batch: 1, seq: 16, tgt: 8 };
  const metadata = session.inputMetadata as unknown as { name: string; shape: (number | string)[]; type: string }[];
  for (const input of metadata) {
    const spec = meta.inputs.find((i) => i.name === input.name)!;
    const shape = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : dims[String(d)]));
    const n = shape.reduce((a, b) => a * b, 1);
    const value = (i: number) => spec.kind === 'ones' ? 1 : spec.kind === 'ids' ? (i * 7919 + 13) % (meta.vocab ?? 1000) : spec.kind === 'timestep' ? 500 : Math.sin(i * 0.61) * 1.5;
    feeds[input.name] = input.type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(value(i))), shape)
      : new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => value(i)), shape);
  }
  return feeds;
}

/** The model with onnxruntime-only ai.onnx ops moved to com.microsoft, for onnx 1.12's checker (see the header). */
function checkableCopy(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  for (const node of model.graph?.node ?? []) if (!node.domain && ORT_ONLY_ONNX_OPS.has(node.opType ?? '')) node.domain = 'com.microsoft';
  return encodeModel(model);
}

const TARGETS: TargetEp[] = ['cuda', 'any'];
const modelBytes = (name: string) => new Uint8Array(readFileSync(fixture(`${name}.onnx`)));

/**
 * Each fixture's conversion for a target, made once: the conversion test, the run and the checker read the same
 * one (each converted it again before, and the run test twice).
 */
const conversions = new Map<string, ReturnType<typeof convertModel>>();
function converted(name: string, targetEp: TargetEp): ReturnType<typeof convertModel> {
  const key = `${name} ${targetEp}`;
  let result = conversions.get(key);
  if (!result) conversions.set(key, (result = convertModel(openModel(modelBytes(name)), { ...DEFAULT_RECIPE, targetEp })));
  return result;
}

describe.each(FIXTURES)('onnxruntime optimizer output: %s', (name) => {
  const bytes = modelBytes(name);
  const meta = JSON.parse(readFileSync(fixture(`${name}.json`), 'utf8')) as Meta;

  it.each(TARGETS)('opens and converts (default recipe, target %s)', (targetEp) => {
    expect(converted(name, targetEp).report.nodePrecision.filter((p) => p === 'low').length).toBeGreaterThan(0);
  });

  it.skipIf(name in CPU_MISSING)('runs in onnxruntime (CPU EP) close to its fp32 original', async () => {
    // One fp32 session, with the options of every comparison (ort-node.ts runModel): it tells the inputs' shapes
    // and types, and its outputs are the reference both targets are compared with.
    const session = await ort.InferenceSession.create(bytes, { ...REFERENCE_SESSION, executionProviders: [...REFERENCE_SESSION.executionProviders], logSeverityLevel: 4 });
    const feeds = feedsFor(session, meta);
    const reference = await session.run(feeds);
    await session.release();
    for (const targetEp of TARGETS) {
      const [cmp] = await compareModels(reference, converted(name, targetEp).bytes, feeds);
      expect(cmp.nonFinite).toBe(0);
      expect(cmp.cosine).toBeGreaterThan(0.99999);
      // fp16 everywhere (nothing blocked): measured max |error| 0.8-1.2e-3 of the output's largest value
      // (fp16's unit roundoff is 4.9e-4); per-element relative error is not used, tiny outputs inflate it
      expect(cmp.maxAbs).toBeLessThan(4e-3 * cmp.scale);
    }
  });
});

// One python process for every file (each imports onnx, ~0.3 s of CPU): each fp32 original once, and its
// conversion for each target.
describe('onnx.checker', () => {
  it.runIf(checkerAvailable())('accepts every fp32 original and its conversion for each target (full_check)', () => {
    const paths = FIXTURES.flatMap((name) => {
      const original = join(dir, `${name}-fp32.onnx`);
      writeFileSync(original, checkableCopy(modelBytes(name)));
      return [original, ...TARGETS.map((targetEp) => {
        const out = join(dir, `${name}-${targetEp}.onnx`);
        writeFileSync(out, checkableCopy(converted(name, targetEp).bytes));
        return out;
      })];
    });
    const results = checkModels(paths);
    expect(results.map((r) => r.path)).toEqual(paths);
    for (const result of results) expect(result, result.path).toMatchObject({ status: 'ok' });
  });
});
