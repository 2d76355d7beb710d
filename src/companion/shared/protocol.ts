// The companion's wire protocol: request/response types and the body framing, shared by the server (Node),
// the in-process CLI and the browser client. Browser-safe: no Node APIs here. See docs/companion.md.

import {
  DTYPES,
  allocTensor,
  elementCount,
  float32ArrayToFloat16,
  isTensorType,
  tensorView,
  type TensorData,
  type TensorType,
} from '../../core/index';


export const PROTOCOL_VERSION = 1;
export const SERVICE_NAME = 'castaway-companion';

/** Header carrying the token on every request (the alternative `Authorization: Bearer <token>` also works). */
export const TOKEN_HEADER = 'x-castaway-token';
/** Header carrying the job parameters as JSON when the body is the bare model (application/octet-stream). */
export const PARAMS_HEADER = 'x-castaway-params';
/** Content type of a framed job body: u32 LE JSON length, the JSON parameters, then the model bytes. */
export const FRAMED_CONTENT_TYPE = 'application/vnd.castaway.job';

export const DEFAULT_PORT = 8765;
export const DEFAULT_APP_ORIGINS = ['http://127.0.0.1:5173', 'http://localhost:5173'];

/** The execution providers a job may ask for; 'auto' = CUDA when the CUDA EP loads on this machine, else CPU (the response says which). */
export const EP_REQUESTS = ['auto', 'cuda', 'cpu'] as const;
export type EpRequest = (typeof EP_REQUESTS)[number];
export type EpName = Exclude<EpRequest, 'auto'>;
/** onnxruntime's graph optimization levels, as a job names them. */
export const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type OptLevel = (typeof OPT_LEVELS)[number];

/** Whether `value` is one of `options` (narrowing it to their type). */
export function oneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

/** Element types, as onnxruntime-js names them: the engine's one dtype table (core tensor/dtype.ts). */
export type { TensorData, TensorType };

/**
 * A tensor on the wire. `data` is the base64 of its little-endian bytes (float16 as IEEE half bits, bool as
 * one byte per element). In requests `values` (plain JSON numbers) may be given instead of `data`.
 */
export interface WireTensor {
  type: TensorType;
  dims: number[];
  data?: string;
  values?: number[];
}

/** Parameters shared by run and bench. Everything is optional. */
export interface JobParams {
  /** Default 'auto'. */
  ep?: EpRequest;
  /** Sizes for symbolic dims of the model's inputs, e.g. { batch: 1, sequence: 128 }. */
  dims?: Record<string, number>;
  /** Full shapes per input, overriding the model's (for inputs with unnamed dynamic dims). */
  shapes?: Record<string, number[]>;
  /** Inputs given as data; the others are generated. */
  inputs?: Record<string, WireTensor>;
  /** Upper bound (exclusive) of generated integer token ids. Default 1000. */
  vocab?: number;
  /** Seed of the generated float inputs and token ids. Default 0. */
  seed?: number;
  /** onnxruntime graph optimization level. Default 'all'. */
  graphOptimizationLevel?: OptLevel;
}

export interface RunParams extends JobParams {
  /** Names of the outputs to return (default: all). */
  outputs?: string[];
  /** Also return the inputs that were used (generated ones included), to reproduce the run elsewhere. */
  returnInputs?: boolean;
}

export interface BenchParams extends JobParams {
  /** Untimed runs first. Default 5, at most 1000. */
  warmup?: number;
  /** Timed runs. Default 20, at most 10000. */
  runs?: number;
}

/** What was fed to the model: shape and whether it was generated or given. */
export interface InputSummary {
  name: string;
  type: TensorType;
  dims: number[];
  source: 'given' | 'generated-ids' | 'generated-ones' | 'generated-random' | 'generated-zeros';
}

export interface SessionInfo {
  /** The EP the session was created with. */
  ep: EpName;
  /** Set when 'auto' (or the server's default) fell back to CPU: why CUDA was not used. */
  fallback?: string;
  sessionCreateMs: number;
  /** True when the session was reused from the previous job on the same model bytes and options. */
  cached: boolean;
}

export interface RunResponse extends SessionInfo {
  inputs: InputSummary[];
  outputs: Record<string, WireTensor>;
  /** The inputs used, when returnInputs was set. */
  inputData?: Record<string, WireTensor>;
  runMs: number;
}

export interface BenchStats {
  warmup: number;
  runs: number;
  /** Latency of the first (cold) run, excluded from the statistics. */
  firstRunMs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  timesMs: number[];
}

export interface BenchResponse extends SessionInfo, BenchStats {
  inputs: InputSummary[];
}

export interface EpStatus {
  name: EpName;
  available: boolean;
  /** Why not, when not available. */
  note?: string;
}

export interface InfoResponse {
  service: typeof SERVICE_NAME;
  protocol: number;
  /** The EP that 'auto' picks on this machine. */
  ep: EpName;
  eps: EpStatus[];
  device: { name: string; kind: 'gpu' | 'cpu' };
  versions: { companion: string; node: string; onnxruntime: string };
  limits: { maxUploadBytes: number; timeoutMs: number; maxQueue: number };
  queue: { running: number; waiting: number };
}

export type ErrorCode =
  | 'unauthorized' // 401: no token
  | 'forbidden' // 403: wrong token, origin or host
  | 'not-found' // 404
  | 'method-not-allowed' // 405
  | 'payload-too-large' // 413
  | 'bad-request' // 400: malformed params or framing
  | 'bad-model' // 400: onnxruntime refused the model (its message is in `message`)
  | 'external-data' // 400: a tensor's bytes live in an external file; the companion opens no file a request names
  | 'bad-input' // 400: inputs could not be built or onnxruntime refused them at run time
  | 'ep-unavailable' // 400: the requested EP cannot be used on this machine
  | 'queue-full' // 503
  | 'timeout' // 504: the job ran past the server's time limit and was killed
  | 'worker-crashed' // 500: the inference process died (e.g. out of memory)
  | 'internal'; // 500

export interface ErrorResponse {
  error: { code: ErrorCode; message: string };
}

export const STATUS_OF: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'bad-request': 400,
  'bad-model': 400,
  'external-data': 400,
  'bad-input': 400,
  'ep-unavailable': 400,
  'queue-full': 503,
  timeout: 504,
  'worker-crashed': 500,
  internal: 500,
};

// ---------------------------------------------------------------------------------------------------------
// Body framing (browser-safe)

/** Builds a framed job body: u32 LE length of the JSON, the JSON, the model bytes. */
export function encodeJobBody(params: RunParams | BenchParams, model: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(params));
  const out = new Uint8Array(4 + json.length + model.byteLength);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(model, 4 + json.length);
  return out;
}

/** Splits a framed job body. Throws an Error with a readable message when the framing is broken. */
export function decodeJobBody(body: Uint8Array): { params: unknown; model: Uint8Array } {
  if (body.byteLength < 4) throw new Error('framed body is shorter than its 4-byte header');
  const len = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  if (4 + len > body.byteLength) {
    throw new Error(`framed body announces ${len} bytes of JSON but holds ${body.byteLength - 4}`);
  }
  const text = new TextDecoder().decode(body.subarray(4, 4 + len));
  let params: unknown;
  try {
    params = JSON.parse(text);
  } catch (e) {
    throw new Error(`parameters are not JSON: ${(e as Error).message}`);
  }
  return { params, model: body.subarray(4 + len) };
}

// ---------------------------------------------------------------------------------------------------------
// Tensors (browser-safe)

function base64ToBytes(b64: string): Uint8Array {
  const g = globalThis as unknown as { Buffer?: { from(s: string, enc: string): Uint8Array } };
  if (g.Buffer) return g.Buffer.from(b64, 'base64');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  const g = globalThis as unknown as {
    Buffer?: { from(b: ArrayBufferLike, o: number, l: number): { toString(enc: string): string } };
  };
  if (g.Buffer) return g.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let bin = '';
  const CH = 0x8000;
  for (let i = 0; i < bytes.length; i += CH) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + CH)));
  }
  return btoa(bin);
}

/** Decodes a wire tensor into a typed array (float16 as Uint16Array of half bits, bool as Uint8Array). */
export function decodeTensor(t: WireTensor): TensorData {
  const n = elementCount(t.dims);
  if (!isTensorType(t.type)) throw new Error(`unsupported tensor type '${t.type}'`);
  if (t.data !== undefined) {
    const bytes = base64ToBytes(t.data);
    const want = n * DTYPES[t.type].bytes;
    if (bytes.byteLength !== want) {
      throw new Error(`tensor of type ${t.type} and dims [${t.dims}] needs ${want} bytes, got ${bytes.byteLength}`);
    }
    const buf = new ArrayBuffer(want);
    new Uint8Array(buf).set(bytes);
    return tensorView(t.type, buf);
  }
  if (t.values !== undefined) {
    if (t.values.length !== n) throw new Error(`tensor of dims [${t.dims}] needs ${n} values, got ${t.values.length}`);
    const arr = allocTensor(t.type, n);
    if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) {
      for (let i = 0; i < n; i++) arr[i] = BigInt(Math.trunc(t.values[i]));
    } else if (t.type === 'float16') {
      (arr as Uint16Array).set(float32ArrayToFloat16(t.values));
    } else {
      for (let i = 0; i < n; i++) (arr as Float32Array)[i] = t.type === 'bool' ? (t.values[i] ? 1 : 0) : t.values[i];
    }
    return arr;
  }
  throw new Error('tensor has neither data nor values');
}

export function encodeTensor(type: TensorType, dims: readonly number[], data: TensorData): WireTensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { type, dims: [...dims], data: bytesToBase64(bytes) };
}


/** The URL the companion prints: `http://127.0.0.1:PORT/?token=...`. Returns base URL and token. */
export function parseCompanionUrl(url: string): { baseUrl: string; token: string } {
  const u = new URL(url);
  const token = u.searchParams.get('token') ?? new URLSearchParams(u.hash.replace(/^#/, '')).get('token');
  if (!token) throw new Error('the companion URL has no token (it looks like http://127.0.0.1:8765/?token=...)');
  return { baseUrl: `${u.protocol}//${u.host}`, token };
}
