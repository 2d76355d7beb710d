// onnxruntime-node sessions: EP selection (CUDA when its EP loads, CPU otherwise, and why), run and bench.
// Used by the companion's inference process (worker.ts) and in-process by `castaway bench`.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as OrtNode from 'onnxruntime-node';
import { buildIr, bytesPerElement, decodeModel, isTensorType, runStats, vocabularies } from '../../core/index';
import { CompanionError } from '../shared/errors.js';
import { buildInputs, InputError, summarize, type BuiltInput } from './inputs.js';
import {
  PROTOCOL_VERSION,
  SERVICE_NAME,
  encodeTensor,
  type BenchParams,
  type BenchStats,
  type EpName,
  type EpStatus,
  type InfoResponse,
  type InputSummary,
  type RunParams,
  type TensorData,
  type TensorType,
  type WireTensor,
} from '../shared/protocol.js';
import { tinyIdentityModel } from './tiny-models.js';

const COMPANION_VERSION = '0.1.0';

type Ort = typeof OrtNode;
type Session = OrtNode.InferenceSession;

let ortPromise: Promise<Ort> | undefined;

/**
 * Loads onnxruntime-node: from CASTAWAY_ORT_NODE (a path) when set, else by normal resolution from this
 * module (NODE_PATH included, which is how the staged GPU machine provides it).
 */
function loadOrt(): Promise<Ort> {
  ortPromise ??= (async () => {
    const req = createRequire(import.meta.url);
    const where = process.env.CASTAWAY_ORT_NODE || 'onnxruntime-node';
    try {
      const ort = req(where) as Ort;
      // onnxruntime logs the failed CUDA probe and the usual Memcpy/CPU-shape warnings; the companion says what
      // matters itself. CASTAWAY_ORT_LOG=warning (verbose|info|warning|error|fatal) to see them.
      ort.env.logLevel = (process.env.CASTAWAY_ORT_LOG as Ort['env']['logLevel']) || 'fatal';
      return ort;
    } catch (e) {
      throw new CompanionError('internal', `cannot load onnxruntime-node (${where}): ${(e as Error).message}`);
    }
  })();
  return ortPromise;
}

export interface EpProbe {
  /** What 'auto' picks. */
  auto: EpName;
  eps: EpStatus[];
}

let probePromise: Promise<EpProbe> | undefined;

/** Tries to create a CUDA session on a one-node model, once per process. */
export function probeEps(): Promise<EpProbe> {
  probePromise ??= (async () => {
    const ort = await loadOrt();
    const cuda: EpStatus = { name: 'cuda', available: false };
    if (process.env.CASTAWAY_DISABLE_CUDA === '1') {
      cuda.note = 'disabled by CASTAWAY_DISABLE_CUDA=1';
    } else {
      try {
        const s = await ort.InferenceSession.create(tinyIdentityModel(), {
          executionProviders: ['cuda'],
          logSeverityLevel: 4,
        });
        await s.release();
        cuda.available = true;
      } catch (e) {
        cuda.note = `CUDA EP unavailable: ${firstLine((e as Error).message)}`;
      }
    }
    return { auto: cuda.available ? 'cuda' : 'cpu', eps: [cuda, { name: 'cpu', available: true }] };
  })();
  return probePromise;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

let deviceCache: Partial<Record<EpName, string>> = {};

export function deviceName(ep: EpName): string {
  if (deviceCache[ep]) return deviceCache[ep];
  let name: string;
  if (ep === 'cuda') {
    try {
      const out = execFileSync('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], {
        timeout: 5000,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      name = firstLine(out) || 'CUDA GPU';
    } catch {
      name = 'CUDA GPU (nvidia-smi not found)';
    }
  } else {
    const cpus = os.cpus();
    name = `${(cpus[0]?.model ?? 'CPU').trim()} (${cpus.length} threads)`;
  }
  deviceCache[ep] = name;
  return name;
}

/** The machine-dependent part of /info (the server adds limits and queue state). */
export async function machineInfo(): Promise<Omit<InfoResponse, 'limits' | 'queue'>> {
  const ort = await loadOrt();
  const probe = await probeEps();
  const versions = ort.env.versions as { node?: string; common?: string };
  return {
    service: SERVICE_NAME,
    protocol: PROTOCOL_VERSION,
    ep: probe.auto,
    eps: probe.eps,
    device: { name: deviceName(probe.auto), kind: probe.auto === 'cuda' ? 'gpu' : 'cpu' },
    versions: {
      companion: COMPANION_VERSION,
      node: process.version,
      onnxruntime: versions.node ?? versions.common ?? 'unknown',
    },
  };
}

export interface OpenSession {
  session: Session;
  ep: EpName;
  fallback?: string;
  sessionCreateMs: number;
  /** Rows of the embedding table each integer input indexes (generated ids stay below them). */
  vocabularies: Record<string, number>;
}

/**
 * The embedding-table sizes of the model's integer inputs, read from the model itself so that generated
 * token ids are the browser's for the same seed. Decodes the model only when it has integer inputs.
 */
function modelVocabularies(model: Uint8Array | string, session: Session): Record<string, number> {
  const ints = session.inputMetadata.some((m) => m.isTensor && /int/.test(String(m.type)));
  if (!ints) return {};
  try {
    return vocabularies(buildIr(decodeModel(typeof model === 'string' ? new Uint8Array(readFileSync(model)) : model)));
  } catch {
    return {}; // onnxruntime loaded it; a model this decoder refuses still runs, with the default bound
  }
}

/**
 * Creates a session with the requested EP. 'auto' falls back to CPU (and says why); 'cuda' does not.
 * `model` is the bytes, or a path (the CLI only: the server never passes a path).
 */
export async function openSession(model: Uint8Array | string, params: Pick<RunParams, 'ep' | 'graphOptimizationLevel'>): Promise<OpenSession> {
  const ort = await loadOrt();
  const probe = await probeEps();
  const want = params.ep ?? 'auto';
  let ep: EpName;
  let fallback: string | undefined;
  if (want === 'cuda') {
    const cuda = probe.eps.find((e) => e.name === 'cuda');
    if (!cuda?.available) throw new CompanionError('ep-unavailable', cuda?.note ?? 'CUDA EP unavailable');
    ep = 'cuda';
  } else if (want === 'cpu') {
    ep = 'cpu';
  } else {
    ep = probe.auto;
    if (ep === 'cpu') fallback = probe.eps.find((e) => e.name === 'cuda')?.note ?? 'CUDA EP unavailable';
  }
  const t0 = performance.now();
  let session: Session;
  try {
    session = await ort.InferenceSession.create(model as Uint8Array, {
      executionProviders: [ep],
      graphOptimizationLevel: params.graphOptimizationLevel ?? 'all',
      logSeverityLevel: 3,
    });
  } catch (e) {
    throw new CompanionError('bad-model', `onnxruntime could not load the model: ${(e as Error).message}`);
  }
  const sessionCreateMs = performance.now() - t0;
  return { session, ep, fallback, sessionCreateMs, vocabularies: modelVocabularies(model, session) };
}

export function prepareInputs(open: OpenSession, params: RunParams | BenchParams): BuiltInput[] {
  try {
    return buildInputs(open.session.inputMetadata, params, open.vocabularies);
  } catch (e) {
    if (e instanceof InputError) throw new CompanionError('bad-input', e.message);
    throw e;
  }
}

export async function makeFeeds(inputs: readonly BuiltInput[]): Promise<Record<string, OrtNode.Tensor>> {
  const ort = await loadOrt();
  const feeds: Record<string, OrtNode.Tensor> = {};
  for (const x of inputs) {
    const data = x.type === 'bool' ? new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.length) : x.data;
    feeds[x.name] = new ort.Tensor(x.type, data as never, x.dims);
  }
  return feeds;
}

/** Output names, or output tensors allocated beforehand that onnxruntime fills in place. */
export type Fetches = string[] | Record<string, OrtNode.Tensor>;

async function runOnce(session: Session, feeds: Record<string, OrtNode.Tensor>, fetches?: Fetches) {
  try {
    return fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  } catch (e) {
    throw new CompanionError('bad-input', `onnxruntime could not run the model: ${(e as Error).message}`);
  }
}

export interface RunResult {
  inputs: InputSummary[];
  outputs: Record<string, WireTensor>;
  inputData?: Record<string, WireTensor>;
  runMs: number;
}

/** One run; outputs as onnxruntime tensors (for in-process use). */
export async function runRaw(open: OpenSession, params: RunParams) {
  const { session } = open;
  const inputs = prepareInputs(open, params);
  const feeds = await makeFeeds(inputs);
  const names = params.outputs ?? [...session.outputNames];
  for (const n of names) {
    if (!session.outputNames.includes(n)) {
      throw new CompanionError('bad-input', `the model has no output '${n}' (outputs: ${session.outputNames.join(', ')})`);
    }
  }
  const t0 = performance.now();
  const res = await runOnce(session, feeds, names);
  return { inputs, names, res, runMs: performance.now() - t0 };
}

export async function runModel(open: OpenSession, params: RunParams, maxOutputBytes = Infinity): Promise<RunResult> {
  const { inputs, names, res, runMs } = await runRaw(open, params);
  const outputs: Record<string, WireTensor> = {};
  let total = 0;
  for (const n of names) {
    const t = res[n];
    const type = t.type as TensorType;
    if (!isTensorType(type)) throw new CompanionError('bad-input', `output '${n}' has type ${t.type}, which is not returned`);
    total += t.size * bytesPerElement(type);
    if (total > maxOutputBytes) {
      throw new CompanionError(
        'payload-too-large',
        `outputs hold more than ${maxOutputBytes} bytes: ask for fewer (outputs: [...]) or smaller dims`,
      );
    }
    outputs[n] = encodeTensor(type, t.dims as number[], t.data as TensorData);
  }
  const result: RunResult = { inputs: summarize(inputs), outputs, runMs };
  if (params.returnInputs) {
    // the inputs count toward the same cap: a request must not get past it by asking for huge generated inputs
    for (const x of inputs) {
      total += x.data.byteLength;
      if (total > maxOutputBytes) {
        throw new CompanionError(
          'payload-too-large',
          `outputs and returned inputs hold more than ${maxOutputBytes} bytes: ask without returnInputs, for fewer outputs, or smaller dims`,
        );
      }
    }
    result.inputData = Object.fromEntries(inputs.map((x) => [x.name, encodeTensor(x.type, x.dims, x.data)]));
  }
  return result;
}

/** The run statistics (core tensor/run-stats.ts) under the wire's field names. */
export function latencyStats(times: readonly number[]): Pick<BenchStats, 'medianMs' | 'p90Ms' | 'minMs' | 'maxMs' | 'meanMs'> {
  const s = runStats(times);
  return { medianMs: s.median, p90Ms: s.p90, minMs: s.min, maxMs: s.max, meanMs: s.mean };
}

export interface BenchResult extends BenchStats {
  inputs: InputSummary[];
}

/**
 * Host tensors shaped like the outputs of one run on `feeds`, to pass as fetches: onnxruntime then copies
 * each output into them instead of allocating fresh JavaScript memory per run. A benchmark option, to
 * separate the model's time from the allocation of large outputs (hundreds of MB for a vocabulary's logits).
 */
export async function allocateOutputs(session: Session, feeds: Record<string, OrtNode.Tensor>): Promise<Record<string, OrtNode.Tensor>> {
  const ort = await loadOrt();
  const res = await runOnce(session, feeds);
  const out: Record<string, OrtNode.Tensor> = {};
  for (const name of session.outputNames) {
    const t = res[name];
    if (t.type === 'string' || !ArrayBuffer.isView(t.data)) {
      throw new CompanionError('bad-input', `output '${name}' is of type ${t.type}: only numeric outputs can be preallocated`);
    }
    const Typed = t.data.constructor as new (length: number) => ArrayBufferView;
    out[name] = new ort.Tensor(t.type, new Typed(t.size) as never, t.dims);
  }
  return out;
}

/** n timed runs (ms each); with `fetches` tensors, outputs are written into them. */
export async function timedRuns(session: Session, feeds: Record<string, OrtNode.Tensor>, n: number, fetches?: Fetches): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await runOnce(session, feeds, fetches);
    out.push(performance.now() - t0);
  }
  return out;
}

/** One cold run (reported apart), `warmup` untimed runs, then `runs` timed ones. */
export async function benchModel(open: OpenSession, params: BenchParams, opts: { reuseOutputs?: boolean } = {}): Promise<BenchResult> {
  const { session } = open;
  const inputs = prepareInputs(open, params);
  const feeds = await makeFeeds(inputs);
  const warmup = params.warmup ?? 5;
  const runs = params.runs ?? 20;
  const firstRunMs = (await timedRuns(session, feeds, 1))[0];
  const fetches = opts.reuseOutputs ? await allocateOutputs(session, feeds) : undefined;
  await timedRuns(session, feeds, warmup, fetches);
  const timesMs = await timedRuns(session, feeds, runs, fetches);
  return { inputs: summarize(inputs), warmup, runs, firstRunMs, ...latencyStats(timesMs), timesMs };
}
