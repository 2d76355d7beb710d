// The ONNX backend node tests (Debian's libonnx-testdata): every float model is converted with no block
// list, checked with onnx.checker, and run with onnxruntime-node (CPU) against the suite's expected
// outputs: the real fp16 model where the CPU EP has fp16 kernels, otherwise the fp16-simulated model.
// Under bf16 (lowPrecision 'bf16') always the bf16-simulated model: onnxruntime's CPU EP has bfloat16
// kernels for data movement only, and onnxruntime-node cannot feed bfloat16 graph inputs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_RECIPE, type LowPrecision, type Recipe } from '../core/index';
import { convertModel, openModel, simulateModel, type EngineModel } from '../core/index';
import { CastawayError } from '../core/index';
import { tensorBytes } from '../core/index';
import { DataType, toNumber, type TensorProto } from '../core/index';
import { decodeMessage } from '../core/index';
import { tensorFromBytes, tensorTypeOf } from '../core/index';
import { compareArrays, runModel, toFloat32 } from './ort-node';

const BACKEND_NODE_DIR = '/usr/share/libonnx-testdata/data/node';

export type BackendOutcome =
  | 'not-float'        // no float32 value: nothing to convert
  | 'refused'          // the engine refused it with a typed error (reason given)
  | 'converted';

export interface BackendCase {
  name: string;
  outcome: BackendOutcome;
  reason?: string;
  file?: Uint8Array;
  casts?: number;
  ortCasts?: number;
}

export function listBackendCases(): string[] {
  if (!existsSync(BACKEND_NODE_DIR)) return [];
  return readdirSync(BACKEND_NODE_DIR).filter((d) => existsSync(join(BACKEND_NODE_DIR, d, 'model.onnx'))).sort();
}

function hasFloat32(model: EngineModel): boolean {
  const main = model.ir.main;
  const types = model.problem.types;
  for (const [, t] of main.initializers) if (t.dataType === DataType.FLOAT) return true;
  for (const vi of [...(main.proto.input ?? []), ...(main.proto.output ?? [])]) if (vi.type?.tensorType?.elemType === DataType.FLOAT) return true;
  return main.nodes.some((n) => (n.output ?? []).some((o) => types.elemType(main, o) === DataType.FLOAT));
}

export function convertBackendCase(name: string, recipe: Partial<Recipe> = DEFAULT_RECIPE): BackendCase {
  const bytes = new Uint8Array(readFileSync(join(BACKEND_NODE_DIR, name, 'model.onnx')));
  let model: EngineModel;
  try {
    model = openModel(bytes);
  } catch (error) {
    if (error instanceof CastawayError) return { name, outcome: 'refused', reason: `${error.code}: ${error.message}` };
    throw error;
  }
  if (!hasFloat32(model)) return { name, outcome: 'not-float' };
  try {
    const result = convertModel(model, { ...DEFAULT_RECIPE, ...recipe });
    return { name, outcome: 'converted', file: result.bytes, casts: result.report.castCount, ortCasts: result.report.ortReferenceCasts };
  } catch (error) {
    if (error instanceof CastawayError) return { name, outcome: 'refused', reason: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** A TensorProto from the suite's .pb files as an onnxruntime tensor; undefined for types ort-node lacks. */
function toOrtTensor(t: TensorProto): ort.Tensor | undefined {
  const type = tensorTypeOf(t.dataType ?? 0);
  if (!type) return undefined;
  const raw = tensorBytes(t);
  if (!raw) return undefined;
  return new ort.Tensor(type, tensorFromBytes(type, raw.slice()) as never, (t.dims ?? []).map(toNumber)); // owned copy
}

interface DataSet {
  inputs: Record<string, ort.Tensor>;
  expected: { name: string; tensor: TensorProto }[];
}

/** test_data_set_0 of a case, bound to the model's input and output names. */
function readDataSet(name: string, inputNames: string[], outputNames: string[]): DataSet | undefined {
  const dir = join(BACKEND_NODE_DIR, name, 'test_data_set_0');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir);
  const inputs: Record<string, ort.Tensor> = {};
  const expected: DataSet['expected'] = [];
  for (const file of files) {
    const m = /^(input|output)_(\d+)\.pb$/.exec(file);
    if (!m) continue;
    const tensor = decodeMessage('TensorProto', new Uint8Array(readFileSync(join(dir, file)))) as TensorProto;
    const index = Number(m[2]);
    if (m[1] === 'input') {
      const t = toOrtTensor(tensor);
      if (!t) return undefined;
      inputs[inputNames[index] ?? tensor.name ?? ''] = t;
    } else expected.push({ name: outputNames[index] ?? tensor.name ?? '', tensor });
  }
  return { inputs, expected };
}

export type RunVerdict = 'fp16-within-tolerance' | 'fp16-outside-tolerance' | 'simulated-within-tolerance' | 'simulated-outside-tolerance' | 'random-shapes-match' | 'not-run';

/** Ops whose outputs are random: only shapes and types can be compared with the suite's expected values. */
const RANDOM_OPS = new Set(['Bernoulli', 'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial']);

export interface RunResult {
  verdict: RunVerdict;
  detail?: string;
}

/**
 * fp16 tolerance: |got - expected| <= 1e-2 * |expected| + 1e-2 * max|expected| (fp16 has 11 significant bits;
 * errors grow through a few ops). Non-finite values must match exactly. `factor` widens it for a coarser
 * type: 8 for bf16, whose 8 significant bits round 2^3 times coarser.
 */
function withinFp16Tolerance(expected: Float32Array, got: Float32Array, factor = 1): { ok: boolean; worst: number } {
  let scale = 0;
  for (const x of expected) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const g = got[i];
    if (!Number.isFinite(e) || !Number.isFinite(g)) {
      if (!(Object.is(e, g) || (Number.isNaN(e) && Number.isNaN(g)))) return { ok: false, worst: Infinity };
      continue;
    }
    const allowed = factor * (1e-2 * Math.abs(e) + 1e-2 * scale) + 1e-6;
    worst = Math.max(worst, Math.abs(g - e) / allowed);
  }
  return { ok: worst <= 1, worst };
}

async function tryRun(bytes: Uint8Array, inputs: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor> | string> {
  try {
    return await runModel(bytes, inputs);
  } catch (error) {
    return (error as Error).message.split('\n')[0].slice(0, 200);
  }
}

/** Widening of the fp16 tolerance per low type (withinFp16Tolerance). */
export const TOLERANCE_FACTOR: Record<LowPrecision, number> = { fp16: 1, bf16: 8 };

export async function runBackendCase(name: string, converted: Uint8Array, low: LowPrecision = 'fp16'): Promise<RunResult> {
  const original = openModel(new Uint8Array(readFileSync(join(BACKEND_NODE_DIR, name, 'model.onnx'))));
  const inputNames = (original.ir.main.proto.input ?? []).map((v) => v.name ?? '').filter((n) => !original.ir.main.initializers.has(n));
  let data: DataSet | undefined;
  try {
    data = readDataSet(name, inputNames, original.ir.main.outputs);
  } catch {
    data = undefined; // sequence/optional test data (SequenceProto, OptionalProto) is not a TensorProto
  }
  if (!data) return { verdict: 'not-run', detail: 'no test data the runtime can read' };
  // Dropout in training mode draws a random mask: as random as the Random* ops.
  const random = original.ir.graphs.some((g) => g.nodes.some((n) => RANDOM_OPS.has(n.opType ?? '') || (n.opType === 'Dropout' && (n.input?.length ?? 0) > 2 && !!n.input?.[2])));
  const judge = (outputs: Record<string, ort.Tensor>): { ok: boolean; detail: string } => {
    for (const { name: out, tensor } of data.expected) {
      const got = outputs[out];
      if (!got) return { ok: false, detail: `output ${out} missing` };
      if (tensor.dataType === DataType.STRING) continue; // formatting of strings is not a numeric comparison
      const expectedOrt = toOrtTensor(tensor);
      if (!expectedOrt) return { ok: false, detail: `output ${out}: expected value of an unsupported type` };
      if (random) {
        if (String(got.dims) !== String(expectedOrt.dims)) return { ok: false, detail: `${out}: shape ${got.dims} instead of ${expectedOrt.dims}` };
        continue;
      }
      const e = toFloat32(expectedOrt);
      const g = toFloat32(got);
      if (!e || !g) {
        // Non-float outputs must match exactly.
        const same = String(expectedOrt.data) === String(got.data);
        if (!same) return { ok: false, detail: `${out}: non-float output differs` };
        continue;
      }
      const { ok, worst } = withinFp16Tolerance(e, g, TOLERANCE_FACTOR[low]);
      if (!ok) return { ok: false, detail: `${out}: error ${worst.toFixed(2)}x the ${low} tolerance (${JSON.stringify(compareArrays(out, e, g))})` };
    }
    return { ok: true, detail: '' };
  };
  const real = low === 'bf16' ? 'bf16 model not run: few CPU bfloat16 kernels, no bfloat16 feeds in onnxruntime-node' : await tryRun(converted, data.inputs);
  if (typeof real !== 'string') {
    const j = judge(real);
    if (random && j.ok) return { verdict: 'random-shapes-match', detail: 'random outputs: shapes compared' };
    return { verdict: j.ok ? 'fp16-within-tolerance' : 'fp16-outside-tolerance', detail: j.detail };
  }
  // No CPU fp16 kernel (or another load failure): judge the storage-rounding simulation instead.
  const simulated = simulateModel(original, { ...DEFAULT_RECIPE, lowPrecision: low }).bytes;
  const sim = await tryRun(simulated, data.inputs);
  if (typeof sim === 'string') return { verdict: 'not-run', detail: `${low}: ${real}; simulated: ${sim}` };
  const j = judge(sim);
  if (random && j.ok) return { verdict: 'random-shapes-match', detail: 'random outputs: shapes compared' };
  return { verdict: j.ok ? 'simulated-within-tolerance' : 'simulated-outside-tolerance', detail: `${low} not runnable on CPU (${real}); ${j.detail}` };
}
