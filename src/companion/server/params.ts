// Checks the JSON parameters of a request before anything runs: wrong types give a 400 with the field's name.
import { CompanionError } from '../shared/errors.js';
import { isTensorType } from '../../core/index';
import { EP_REQUESTS, OPT_LEVELS, oneOf, type BenchParams, type RunParams, type WireTensor } from '../shared/protocol.js';

function bad(msg: string): never {
  throw new CompanionError('bad-request', msg);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function intIn(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(`${name} must be an integer in [${lo}, ${hi}]`);
  return v;
}

function dimsRecord(v: unknown, name: string): Record<string, number> {
  if (!isObj(v)) bad(`${name} must be an object of name -> size`);
  const out: Record<string, number> = {};
  for (const [k, d] of Object.entries(v)) out[k] = intIn(d, `${name}.${k}`, 0, 2 ** 31 - 1);
  return out;
}

function tensor(v: unknown, name: string): WireTensor {
  if (!isObj(v)) bad(`${name} must be a tensor {type, dims, data|values}`);
  if (typeof v.type !== 'string' || !isTensorType(v.type)) bad(`${name}.type is not a supported tensor type`);
  if (!Array.isArray(v.dims)) bad(`${name}.dims must be an array`);
  v.dims.forEach((d, i) => intIn(d, `${name}.dims[${i}]`, 0, 2 ** 31 - 1));
  if (v.data !== undefined && typeof v.data !== 'string') bad(`${name}.data must be a base64 string`);
  if (v.values !== undefined && (!Array.isArray(v.values) || v.values.some((x) => typeof x !== 'number' && typeof x !== 'boolean'))) {
    bad(`${name}.values must be an array of numbers`);
  }
  if (v.data === undefined && v.values === undefined) bad(`${name} needs data (base64) or values`);
  return v as unknown as WireTensor;
}

function common(p: Record<string, unknown>, out: RunParams & BenchParams): void {
  if (p.ep !== undefined) {
    if (!oneOf(EP_REQUESTS, p.ep)) bad(`ep must be one of ${EP_REQUESTS.join(', ')}`);
    out.ep = p.ep;
  }
  if (p.dims !== undefined) out.dims = dimsRecord(p.dims, 'dims');
  if (p.shapes !== undefined) {
    if (!isObj(p.shapes)) bad('shapes must be an object of input name -> dims');
    out.shapes = {};
    for (const [k, s] of Object.entries(p.shapes)) {
      if (!Array.isArray(s)) bad(`shapes.${k} must be an array`);
      out.shapes[k] = s.map((d, i) => intIn(d, `shapes.${k}[${i}]`, 0, 2 ** 31 - 1));
    }
  }
  if (p.inputs !== undefined) {
    if (!isObj(p.inputs)) bad('inputs must be an object of input name -> tensor');
    out.inputs = {};
    for (const [k, t] of Object.entries(p.inputs)) out.inputs[k] = tensor(t, `inputs.${k}`);
  }
  if (p.vocab !== undefined) out.vocab = intIn(p.vocab, 'vocab', 1, 2 ** 31 - 1);
  if (p.seed !== undefined) out.seed = intIn(p.seed, 'seed', 0, 2 ** 32 - 1);
  if (p.graphOptimizationLevel !== undefined) {
    if (!oneOf(OPT_LEVELS, p.graphOptimizationLevel)) {
      bad(`graphOptimizationLevel must be one of ${OPT_LEVELS.join(', ')}`);
    }
    out.graphOptimizationLevel = p.graphOptimizationLevel;
  }
}

export function parseRunParams(raw: unknown): RunParams {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) bad('parameters must be a JSON object');
  const out: RunParams = {};
  common(raw, out);
  if (raw.outputs !== undefined) {
    if (!Array.isArray(raw.outputs) || raw.outputs.some((s) => typeof s !== 'string')) bad('outputs must be an array of names');
    out.outputs = raw.outputs as string[];
  }
  if (raw.returnInputs !== undefined) out.returnInputs = raw.returnInputs === true;
  return out;
}

export function parseBenchParams(raw: unknown): BenchParams {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) bad('parameters must be a JSON object');
  const out: BenchParams = {};
  common(raw, out);
  if (raw.warmup !== undefined) out.warmup = intIn(raw.warmup, 'warmup', 0, 1000);
  if (raw.runs !== undefined) out.runs = intIn(raw.runs, 'runs', 1, 10000);
  return out;
}
