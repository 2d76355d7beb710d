// The preview's RunModel in layer-sized pieces (segments.ts): one onnxruntime session per distinct piece,
// kept across runs, so the fp32 reference, the simulated model and every later recipe re-use the
// sessions of the pieces they share. Falls back to one session for the whole model where the model does
// not split.
import type { ModelProto, TensorProto } from '../onnx/proto-types';
import { DataType, toNumber } from '../onnx/proto-types';
import { tensorBytes } from '../external-data';
import { float32ArrayToFloat16 } from '../tensor/half';
import { decodeModel, encodeModel } from '../serde';
import { floatOutputs, PREVIEW_SESSION_OPTIONS, type OrtBinding, type OrtSession, type RunModel } from '../tensor/ort-port';
import { MIN_SEGMENTED_NODES, pieceKey, segmentModel, segmentProto, type SegmentedModel } from './segments';

/** A tensor as onnxruntime's JavaScript APIs return and take it. */
interface OrtTensor {
  type: string;
  data: unknown;
  dims: readonly number[];
}

const ELEM_OF: Record<string, number> = {
  float32: DataType.FLOAT, float16: DataType.FLOAT16, float64: DataType.DOUBLE, int64: DataType.INT64,
  int32: DataType.INT32, int16: DataType.INT16, int8: DataType.INT8, uint8: DataType.UINT8, uint16: DataType.UINT16,
  uint32: DataType.UINT32, uint64: DataType.UINT64, bool: DataType.BOOL, string: DataType.STRING,
};

export interface SegmentedRunner extends RunModel {
  /** Releases the cached sessions (a new model makes them useless). */
  clear(): Promise<void>;
  /** Sessions created and re-used, pieces run, and where the milliseconds went, since the last clear. */
  readonly stats: RunnerStats;
}

export interface RunnerStats {
  created: number;
  reused: number;
  segments: number;
  /** Decoding the model and splitting it. */
  splitMillis: number;
  /** Building the pieces' models and their keys (encoding for a new session counts as createMillis). */
  pieceMillis: number;
  createMillis: number;
  runMillis: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** A fed weight (float, float16 or double initializer) as a tensor. */
function weightTensor(ort: OrtBinding, tensor: TensorProto): OrtTensor {
  const bytes = tensorBytes(tensor) ?? new Uint8Array(0);
  const copy = bytes.slice(); // aligned, and independent of the model's buffer
  const dims = (tensor.dims ?? []).map((d) => toNumber(d));
  const data =
    tensor.dataType === DataType.FLOAT16
      ? new Uint16Array(copy.buffer)
      : tensor.dataType === DataType.DOUBLE
        ? new Float64Array(copy.buffer)
        : new Float32Array(copy.buffer);
  const type = tensor.dataType === DataType.FLOAT16 ? 'float16' : tensor.dataType === DataType.DOUBLE ? 'float64' : 'float32';
  return new ort.Tensor(type, data, dims) as OrtTensor;
}

/**
 * A RunModel that splits a model of `minNodes` nodes or more into pieces and keeps up to `maxSessions`
 * sessions (least recently used released first). Runs are serialized: a cached session is never run twice at once or released while in use.
 */
export function segmentedRunner(
  ort: OrtBinding,
  sessionOptions: Record<string, unknown>,
  { maxSessions = 48, minNodes = MIN_SEGMENTED_NODES }: { maxSessions?: number; minNodes?: number } = {},
): SegmentedRunner {
  const options = { ...PREVIEW_SESSION_OPTIONS, ...sessionOptions };
  const cache = new Map<string, OrtSession>();
  const stats: RunnerStats = { created: 0, reused: 0, segments: 0, splitMillis: 0, pieceMillis: 0, createMillis: 0, runMillis: 0 };
  let queue: Promise<unknown> = Promise.resolve();

  async function sessionFor(key: string, model: ModelProto): Promise<OrtSession> {
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit); // most recently used last
      stats.reused++;
      return hit;
    }
    const t0 = now();
    const session = await ort.InferenceSession.create(encodeModel(model), options);
    stats.createMillis += now() - t0;
    stats.created++;
    cache.set(key, session);
    while (cache.size > maxSessions) {
      const [oldest, entry] = cache.entries().next().value!;
      cache.delete(oldest);
      await entry.release();
    }
    return session;
  }

  async function runWhole(bytes: Uint8Array, feeds: Map<string, OrtTensor>): Promise<Record<string, Float32Array>> {
    const session = await ort.InferenceSession.create(bytes, options);
    try {
      const given = Object.fromEntries(session.inputNames.filter((n) => feeds.has(n)).map((n) => [n, feeds.get(n)!]));
      return floatOutputs(await session.run(given));
    } finally {
      await session.release();
    }
  }

  async function runSegmented(segmented: SegmentedModel, values: Map<string, OrtTensor>): Promise<Record<string, Float32Array>> {
    const weights = new Map<string, OrtTensor>();
    for (const segment of segmented.segments) {
      const inputs = segment.inputs.map((name) => {
        const value = values.get(name);
        if (value) return value;
        const fed = segmented.fed.get(name);
        if (!fed) throw new Error(`Preview: no value for ${name}`);
        let tensor = weights.get(name);
        if (!tensor) weights.set(name, (tensor = weightTensor(ort, fed)));
        return tensor;
      });
      const t0 = now();
      const types = inputs.map((t) => ELEM_OF[t.type] ?? DataType.UNDEFINED);
      const piece = segmentProto(segmented, segment, types);
      const key = pieceKey(piece.model);
      stats.pieceMillis += now() - t0;
      const session = await sessionFor(key, piece.model);
      const t1 = now();
      const results = await session.run(Object.fromEntries(inputs.map((t, k) => [`i${k}`, t])));
      stats.runMillis += now() - t1;
      segment.outputs.forEach((name, k) => values.set(name, results[piece.outputs[k]] as OrtTensor));
      stats.segments++;
    }
    const outputs: Record<string, { type: string; data: unknown }> = {};
    for (const out of segmented.model.graph?.output ?? []) {
      const value = values.get(out.name ?? '');
      if (value) outputs[out.name ?? ''] = value;
    }
    return floatOutputs(outputs);
  }

  const run = (async (given: Uint8Array | ModelProto, feeds) => {
    const t0 = now();
    const model = given instanceof Uint8Array ? decodeModel(given) : given;
    const inputTypes = new Map((model.graph?.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? 0] as const));
    const values = new Map<string, OrtTensor>();
    for (const feed of feeds) {
      // A float16 model input given float32 data (a converted model without keepIoTypes): as ortFeeds does.
      const half = inputTypes.get(feed.name) === DataType.FLOAT16 && feed.type === 'float32';
      values.set(feed.name, new ort.Tensor(half ? 'float16' : feed.type, half ? float32ArrayToFloat16(feed.data as Float32Array) : feed.data, feed.dims) as OrtTensor);
    }
    const segmented = segmentModel(model, minNodes);
    stats.splitMillis += now() - t0;
    const work = queue.then(() => (segmented ? runSegmented(segmented, values) : runWhole(given instanceof Uint8Array ? given : encodeModel(model), values)));
    queue = work.catch(() => undefined);
    return work;
  }) as SegmentedRunner;
  Object.defineProperty(run, 'stats', { value: stats });
  run.clear = async () => {
    const entries = [...cache.values()];
    cache.clear();
    Object.assign(stats, { created: 0, reused: 0, segments: 0, splitMillis: 0, pieceMillis: 0, createMillis: 0, runMillis: 0 });
    for (const session of entries) await session.release();
  };
  return run;
}
