// The preview's RunModel in layer-sized pieces (segments.ts): one onnxruntime session per distinct piece,
// kept across runs, so the fp32 reference, the simulated model and every later recipe re-use the
// sessions of the pieces they share. Falls back to one session for the whole model where the model does
// not split.
import type { ModelProto } from '../onnx/proto-types';
import { DataType } from '../onnx/proto-types';
import { float32ArrayToFloat16 } from '../tensor/half';
import { decodeModel, encodeModel } from '../serde';
import { floatOutputs, PREVIEW_SESSION_OPTIONS, type OrtBinding, type OrtSession, type RunModel } from '../tensor/ort-port';
import { MIN_SEGMENTED_NODES } from './segments';
import { pieceProgram, typedPiece, type PieceProgram } from './piece-program';
import type { HostTensor } from '../tensor/host-tensor';

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
  /** Runs a model already split into pieces (by the model worker: pieceProgram); float outputs as float32. */
  runProgram(program: PieceProgram, feeds: readonly HostTensor[]): Promise<Record<string, Float32Array>>;
  /** Releases the cached sessions (a new model makes them useless). */
  clear(): Promise<void>;
  /** Sessions created and re-used, pieces run, and where the milliseconds went, since the last clear. */
  readonly stats: RunnerStats;
}

export interface RunnerStats {
  created: number;
  reused: number;
  segments: number;
  /** Decoding the model (when given bytes) and splitting it into a program (pieceProgram). */
  splitMillis: number;
  /** Keys of the pieces and typing new ones (encoding for a new session counts as createMillis). */
  pieceMillis: number;
  createMillis: number;
  runMillis: number;
}

/** A piece's encoded bytes as exact text: the session cache's key (with the input types). */
function bytesKey(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

/** The packed values of a piece (segmentProto) as float32 tensors of their own, each with its own buffer. */
function unpack(names: readonly string[], packed: OrtTensor, sizes: OrtTensor, values: Map<string, OrtTensor>): void {
  const data = packed.data as Float32Array;
  const counts = sizes.data as BigInt64Array;
  let offset = 0;
  names.forEach((name, k) => {
    const n = Number(counts[k]);
    values.set(name, { type: 'float32', data: data.slice(offset, offset + n), dims: [n] });
    offset += n;
  });
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
  // Pieces are created without graph optimizations: a third less session creation and a faster first run
  // on the 64-layer decoder, and the same values there, bit for bit (basic optimizations are exact
  // eliminations and constant folding, plus fusions that these layer pieces do not offer:
  // src/node/preview-speed.test.ts compares every value with one whole-model session at 'basic').
  const pieceOptions = { ...options, graphOptimizationLevel: 'disabled' };
  const cache = new Map<string, OrtSession>();
  const stats: RunnerStats = { created: 0, reused: 0, segments: 0, splitMillis: 0, pieceMillis: 0, createMillis: 0, runMillis: 0 };
  let queue: Promise<unknown> = Promise.resolve();

  async function sessionFor(key: string, model: () => Uint8Array): Promise<OrtSession> {
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit); // most recently used last
      stats.reused++;
      return hit;
    }
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(model(), pieceOptions);
    stats.createMillis += performance.now() - t0;
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

  async function runPieces(program: PieceProgram, values: Map<string, OrtTensor>): Promise<Record<string, Float32Array>> {
    const t0 = performance.now();
    for (const w of program.weights) values.set(w.name, new ort.Tensor(w.type, w.data, w.dims) as OrtTensor);
    const keys = program.pieces.map(bytesKey);
    stats.pieceMillis += performance.now() - t0;
    for (const step of program.steps) {
      const inputs = step.inputs.map((name) => {
        const value = values.get(name);
        if (!value) throw new Error(`Preview: no value for ${name}`);
        return value;
      });
      const types = inputs.map((t) => ELEM_OF[t.type] ?? DataType.UNDEFINED);
      const session = await sessionFor(`${types.join(',')}|${keys[step.piece]}`, () => typedPiece(program.pieces[step.piece], types));
      const t1 = performance.now();
      const results = await session.run(Object.fromEntries(inputs.map((t, k) => [`i${k}`, t])));
      stats.runMillis += performance.now() - t1;
      step.outputs.forEach((name, k) => values.set(name, results[step.local[k]] as OrtTensor));
      if (step.packedLocal) unpack(step.packed, results[step.packedLocal.data] as OrtTensor, results[step.packedLocal.sizes] as OrtTensor, values);
      stats.segments++;
    }
    const outputs: Record<string, { type: string; data: unknown }> = {};
    for (const name of program.outputs) {
      const value = values.get(name);
      if (value) outputs[name] = value;
    }
    return floatOutputs(outputs);
  }

  /** The feeds as tensors; a float16 model input given float32 data (a converted model without keepIoTypes) is converted, as ortFeeds does. */
  function feedValues(feeds: readonly HostTensor[], inputTypes: (name: string) => number | undefined): Map<string, OrtTensor> {
    const values = new Map<string, OrtTensor>();
    for (const feed of feeds) {
      const half = inputTypes(feed.name) === DataType.FLOAT16 && feed.type === 'float32';
      values.set(feed.name, new ort.Tensor(half ? 'float16' : feed.type, half ? float32ArrayToFloat16(feed.data as Float32Array) : feed.data, feed.dims) as OrtTensor);
    }
    return values;
  }

  /** Runs are serialized: a cached session is never run twice at once or released while in use. */
  function serialized<T>(job: () => Promise<T>): Promise<T> {
    const work = queue.then(job);
    queue = work.catch(() => undefined);
    return work;
  }

  const run = (async (given: Uint8Array | ModelProto, feeds) => {
    const t0 = performance.now();
    const model = given instanceof Uint8Array ? decodeModel(given) : given;
    const program = pieceProgram(model, minNodes);
    stats.splitMillis += performance.now() - t0;
    const inputTypes = new Map((model.graph?.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? 0] as const));
    const values = feedValues(feeds, (name) => inputTypes.get(name));
    return serialized(() => (program ? runPieces(program, values) : runWhole(given instanceof Uint8Array ? given : encodeModel(model), values)));
  }) as SegmentedRunner;
  run.runProgram = (program, feeds) => serialized(() => runPieces(program, feedValues(feeds, (name) => program.inputTypes[name])));
  Object.defineProperty(run, 'stats', { value: stats });
  run.clear = async () => {
    const entries = [...cache.values()];
    cache.clear();
    Object.assign(stats, { created: 0, reused: 0, segments: 0, splitMillis: 0, pieceMillis: 0, createMillis: 0, runMillis: 0 });
    for (const session of entries) await session.release();
  };
  return run;
}
