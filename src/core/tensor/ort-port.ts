// The engine's one port to onnxruntime: a RunModel over any onnxruntime JavaScript binding (onnxruntime-web,
// onnxruntime-node: both implement onnxruntime-common's API). The binding is passed in, so the engine
// imports no runtime and the worker, the Node tests and the companion run models the same way.
import { float16ArrayToFloat32, float32ArrayToFloat16 } from './half';
import { asFloat32, type HostTensor } from './host-tensor';
import type { ModelProto } from '../onnx/proto-types';
import { encodeModel } from '../serde';

/**
 * Runs a model on a runtime and returns its float outputs as float32 (fp16 decoded), by name. The model
 * comes encoded or as the ModelProto the engine just built (the preview's runner splits that one without
 * encoding and decoding a 12k-node model).
 */
export type RunModel = (model: Uint8Array | ModelProto, feeds: readonly HostTensor[]) => Promise<Record<string, Float32Array>>;

/** The part of onnxruntime-common's API the engine uses. */
export interface OrtBinding {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}

/** An output tensor as the bindings return it. */
export interface OrtValue {
  type: string;
  data: unknown;
  dims?: readonly number[];
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly unknown[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtValue>>;
  release(): Promise<void>;
}

/**
 * Session options of every preview run: basic graph optimizations only, so no fusion removes the
 * Cast(fp16)->Cast(fp32) pairs of the simulated model or changes the fp32 reference.
 */
export const PREVIEW_SESSION_OPTIONS = { graphOptimizationLevel: 'basic', logSeverityLevel: 4 } as const;

function inputTypesOf(session: OrtSession): Record<string, string> {
  const types: Record<string, string> = {};
  session.inputNames.forEach((name, i) => {
    const meta = session.inputMetadata?.[i] as { type?: string } | undefined;
    if (meta?.type) types[name] = meta.type;
  });
  return types;
}

/**
 * Feeds for a session, for the inputs it has: float data meets the input's float type (float32 given to an
 * fp16 input, as for a converted model without keepIoTypes, becomes half bits; half bits given to a float32
 * input are decoded), so one set of inputs feeds the fp32 model and its converted model alike.
 */
export function ortFeeds(ort: OrtBinding, session: OrtSession, feeds: readonly HostTensor[]): Record<string, unknown> {
  const types = inputTypesOf(session);
  const out: Record<string, unknown> = {};
  for (const feed of feeds) {
    if (!session.inputNames.includes(feed.name)) continue;
    const want = types[feed.name];
    if (want === 'float16' && feed.type === 'float32') {
      out[feed.name] = new ort.Tensor('float16', float32ArrayToFloat16(feed.data as Float32Array), feed.dims);
    } else if (want === 'float32' && feed.type === 'float16' && feed.data instanceof Uint16Array) {
      out[feed.name] = new ort.Tensor('float32', float16ArrayToFloat32(feed.data), feed.dims);
    } else out[feed.name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  }
  return out;
}

export function floatOutputs(results: Record<string, OrtValue>): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) {
    const data = asFloat32(tensor.type, tensor.data);
    if (data) values[name] = data;
  }
  return values;
}

/** Opens a session, runs it once on the feeds and releases it; every output as the binding returns it. */
export async function runOnce(ort: OrtBinding, bytes: Uint8Array, feeds: readonly HostTensor[], sessionOptions: Record<string, unknown>): Promise<Record<string, OrtValue>> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  try {
    return await session.run(ortFeeds(ort, session, feeds));
  } finally {
    await session.release();
  }
}

/** Opens a session per run (the preview runs each model once) and releases it. */
export function ortRunner(ort: OrtBinding, sessionOptions: Record<string, unknown>): RunModel {
  return async (model, feeds) =>
    floatOutputs(await runOnce(ort, model instanceof Uint8Array ? model : encodeModel(model), feeds, { ...PREVIEW_SESSION_OPTIONS, ...sessionOptions }));
}
