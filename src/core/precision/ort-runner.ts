// A RunModel over any onnxruntime JavaScript binding (onnxruntime-web, onnxruntime-node: both implement
// onnxruntime-common's API). The binding is passed in, so the engine imports no runtime and the worker,
// the Node tests and the companion run models the same way.
import { float32ArrayToFloat16 } from '../rewrite/fp16';
import { encodeModel } from '../serde';
import type { RunModel } from './preview';
import { asFloat32, type HostTensor } from './tensors';

/** The part of onnxruntime-common's API the preview uses. */
export interface OrtBinding {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly unknown[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { type: string; data: unknown }>>;
  release(): Promise<void>;
}

/**
 * Session options of every preview run: basic graph optimizations only, so no fusion removes the
 * Cast(fp16)->Cast(fp32) pairs of the simulated model or changes the fp32 reference.
 */
export const PREVIEW_SESSION_OPTIONS = { graphOptimizationLevel: 'basic', logSeverityLevel: 4 } as const;

export function inputTypesOf(session: OrtSession): Record<string, string> {
  const types: Record<string, string> = {};
  session.inputNames.forEach((name, i) => {
    const meta = session.inputMetadata?.[i] as { type?: string } | undefined;
    if (meta?.type) types[name] = meta.type;
  });
  return types;
}

/** Feeds for a session: float32 data given to an fp16 input (a converted model without keepIoTypes) becomes fp16. */
export function ortFeeds(ort: OrtBinding, session: OrtSession, feeds: readonly HostTensor[]): Record<string, unknown> {
  const types = inputTypesOf(session);
  const out: Record<string, unknown> = {};
  for (const feed of feeds) {
    if (!session.inputNames.includes(feed.name)) continue;
    if (types[feed.name] === 'float16' && feed.type === 'float32') {
      out[feed.name] = new ort.Tensor('float16', float32ArrayToFloat16(feed.data as Float32Array), feed.dims);
    } else out[feed.name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  }
  return out;
}

export function floatOutputs(results: Record<string, { type: string; data: unknown }>): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) {
    const data = asFloat32(tensor.type, tensor.data);
    if (data) values[name] = data;
  }
  return values;
}

/** Opens a session per run (the preview runs each model once) and releases it. */
export function ortRunner(ort: OrtBinding, sessionOptions: Record<string, unknown>): RunModel {
  return async (model, feeds) => {
    const bytes = model instanceof Uint8Array ? model : encodeModel(model);
    const session = await ort.InferenceSession.create(bytes, { ...PREVIEW_SESSION_OPTIONS, ...sessionOptions });
    try {
      return floatOutputs(await session.run(ortFeeds(ort, session, feeds)));
    } finally {
      await session.release();
    }
  };
}
