// onnxruntime-node (CPU) behind the engine's onnxruntime port (core tensor/ort-port.ts): the precision
// preview's runtime in Node, the same RunModel the browser worker builds over onnxruntime-web, and plain
// runs that compare an fp32 model with its converted model on the same inputs (fp16 inputs and outputs are
// converted at the boundary so both are compared as float32).
import * as ort from 'onnxruntime-node';
import { asFloat32, compareArrays, floatOutputs, ortRunner, runOnce, segmentedRunner, type HostTensor, type OrtBinding, type OutputComparison, type RunModel, type TensorType } from '../core/index';

export { compareArrays };

export type Feeds = Record<string, ort.Tensor>;

const binding = ort as unknown as OrtBinding;

/**
 * One thread per session for the tests' runs: the models here are small, and onnxruntime's default pool (a
 * thread per core) spin-waits between operators, CPU that the other vitest worker and Chromium need on the
 * 2-core CI machine: precision.test.ts with bf16.test.ts took 45.9 s of CPU with the default pool and 37.0 s
 * with one thread, the same minute at load 15 (docs/ci.md). Outputs do not depend on the thread count.
 */
export const TEST_THREADS = { intraOpNumThreads: 1, interOpNumThreads: 1 } as const;

export function nodeRunner(executionProviders: string[] = ['cpu']): RunModel {
  return ortRunner(binding, { executionProviders, ...TEST_THREADS });
}

export function toFloat32(tensor: ort.Tensor): Float32Array | undefined {
  return asFloat32(tensor.type, tensor.data);
}

export function hostFeeds(feeds: Feeds): HostTensor[] {
  return Object.entries(feeds).map(([name, t]) => ({ name, type: t.type as TensorType, dims: [...t.dims], data: t.data as HostTensor['data'] }));
}

/** The session options of runModel; part of a stored fp32 reference's key (fp32-refs.ts). */
export const REFERENCE_SESSION = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...TEST_THREADS } as const;

export async function runModel(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const options = { ...REFERENCE_SESSION, executionProviders: [...REFERENCE_SESSION.executionProviders], logSeverityLevel: 4 };
  return (await runOnce(binding, bytes, hostFeeds(feeds), options)) as unknown as Record<string, ort.Tensor>;
}

/**
 * Compares a candidate model's outputs with reference outputs (a model's bytes, or outputs already run). Only the
 * reference's float outputs are compared (an integer output has no error to measure); one of them that the
 * candidate lacks, or gives as a non-float, fails as in compareOutputs, never a comparison left out.
 */
export async function compareModels(reference: Uint8Array | Record<string, ort.Tensor>, candidate: Uint8Array, feeds: Feeds): Promise<OutputComparison[]> {
  const a = reference instanceof Uint8Array ? await runModel(reference, feeds) : reference;
  const floats = Object.fromEntries(Object.entries(a).filter(([, tensor]) => toFloat32(tensor)));
  return compareOutputs(floats, floatOutputs(await runModel(candidate, feeds)));
}

/** How a converted model is run for a check: one session of the whole file, or the preview's layer-sized pieces. */
export type RunMode = 'session' | 'pieces';

export interface CandidateRun {
  outputs: Record<string, Float32Array>;
  /** In pieces: the pieces run and the sessions created for them. */
  pieces?: { steps: number; sessions: number };
}

/**
 * Runs a converted model on onnxruntime-node's CPU EP and returns its float outputs as float32. 'pieces' is the
 * preview's runner (core precision/segment-runner.ts): the model split at its repeated layers, identical pieces
 * sharing one session, so a 200-layer gpt2 costs three small sessions instead of one ~95-s one (docs/ci.md, "Third
 * pass", says what this does and does not prove). A model that does not split (too small, not topologically
 * sorted, control flow) would run as one session there: 'pieces' refuses it instead, as that is the cost it avoids.
 * `minNodes` splits smaller models too (the runner's default leaves models under 2,000 nodes whole).
 */
export async function runCandidate(bytes: Uint8Array, feeds: Feeds, mode: RunMode, { minNodes }: { minNodes?: number } = {}): Promise<CandidateRun> {
  if (mode === 'session') return { outputs: floatOutputs(await runModel(bytes, feeds)) };
  const runner = segmentedRunner(binding, { executionProviders: ['cpu'], ...TEST_THREADS }, { minNodes });
  try {
    const outputs = await runner(bytes, hostFeeds(feeds));
    const { segments: steps, created: sessions } = runner.stats;
    if (steps < 2) throw new Error(`the model did not split into pieces (${steps} run): it would have run as one session`);
    return { outputs, pieces: { steps, sessions } };
  } finally {
    await runner.clear();
  }
}

/**
 * Each reference output against the candidate's output of the same name. A reference output the candidate lacks
 * (or returns as a non-float type) is an error, never a comparison left out.
 */
export function compareOutputs(reference: Record<string, ort.Tensor>, outputs: Record<string, Float32Array>): OutputComparison[] {
  return Object.keys(reference).map((name) => {
    const ra = toFloat32(reference[name]);
    if (!ra) throw new Error(`reference output ${name} is ${reference[name].type}, not a float`);
    const rb = outputs[name];
    if (!rb) throw new Error(`the converted model gives no float output ${name} (it gives ${Object.keys(outputs).join(', ') || 'none'})`);
    return compareArrays(name, ra, rb);
  });
}
