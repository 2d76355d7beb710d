// Builds a model's inputs from its input metadata: symbolic dims bound from the request, int token ids
// within a vocab bound, masks of ones, seeded random floats; or the request's own tensors.
// Pure (no onnxruntime import) so it can be tested and reused by the CLI.

import {
  decodeTensor,
  elementCount,
  toHalfBits,
  type InputSummary,
  type JobParams,
  type TensorData,
  type TensorType,
} from './protocol.js';
import { seededRandom } from '../core/tensor/seeded-inputs';

/** The part of onnxruntime's InferenceSession.ValueMetadata this needs. */
export interface InputMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface BuiltInput {
  name: string;
  type: TensorType;
  dims: number[];
  data: TensorData;
  source: InputSummary['source'];
}

export class InputError extends Error {
  override name = 'InputError';
}

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const INT_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);
const FLOAT_TYPES = new Set(['float32', 'float16', 'float64']);

export function resolveShape(meta: InputMeta, params: JobParams): number[] {
  const given = params.shapes?.[meta.name];
  if (given) {
    if (!Array.isArray(given) || given.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InputError(`shapes.${meta.name} must be an array of non-negative integers`);
    }
    return [...given];
  }
  const shape = meta.shape ?? [];
  return shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    const sym = typeof d === 'string' ? d : '';
    if (sym && params.dims && sym in params.dims) {
      const v = params.dims[sym];
      if (!Number.isInteger(v) || v < 0) throw new InputError(`dims.${sym} must be a non-negative integer`);
      return v;
    }
    const known = Object.keys(params.dims ?? {});
    throw new InputError(
      sym
        ? `input '${meta.name}' has symbolic dim '${sym}' (axis ${i}) with no size: give it in dims, e.g. {"${sym}": 1}` +
            (known.length ? ` (given: ${known.join(', ')})` : '')
        : `input '${meta.name}' has an unnamed dynamic dim (axis ${i}): give its full shape in shapes.${meta.name}`,
    );
  });
}

function alloc(type: TensorType, n: number): TensorData {
  switch (type) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'float16':
    case 'uint16':
      return new Uint16Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

function fill(data: TensorData, type: TensorType, f: (i: number) => number): void {
  const n = data.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(f(i));
  } else if (type === 'float16') {
    for (let i = 0; i < n; i++) (data as Uint16Array)[i] = toHalfBits(f(i));
  } else {
    const d = data as Float32Array;
    for (let i = 0; i < n; i++) d[i] = f(i);
  }
}

const LIMITS: Partial<Record<TensorType, number>> = { int8: 127, uint8: 255, int16: 32767, uint16: 65535 };

export function buildInput(meta: InputMeta, params: JobParams): BuiltInput {
  if (!meta.isTensor || !meta.type) throw new InputError(`input '${meta.name}' is not a tensor: give it in inputs`);
  const type = meta.type as TensorType;
  const given = params.inputs?.[meta.name];
  if (given) {
    if (given.type !== type) {
      throw new InputError(`input '${meta.name}' is ${type} in the model but ${given.type} in the request`);
    }
    let data: TensorData;
    try {
      data = decodeTensor(given);
    } catch (e) {
      throw new InputError(`input '${meta.name}': ${(e as Error).message}`);
    }
    return { name: meta.name, type, dims: [...given.dims], data, source: 'given' };
  }
  const dims = resolveShape(meta, params);
  const n = elementCount(dims);
  if (n > 512 * 1024 * 1024) throw new InputError(`input '${meta.name}' would hold ${n} elements: too large`);
  const data = alloc(type, n);
  const rnd = seededRandom(((params.seed ?? 0) ^ hashName(meta.name)) >>> 0);
  const lname = meta.name.toLowerCase();
  let source: InputSummary['source'];
  if (type === 'bool' || lname.includes('mask')) {
    fill(data, type, () => 1);
    source = 'generated-ones';
  } else if (INT_TYPES.has(type)) {
    if (lname.includes('token_type') || lname.includes('segment')) {
      source = 'generated-zeros';
    } else if (lname.includes('position')) {
      const last = dims[dims.length - 1] ?? 1;
      fill(data, type, (i) => i % last);
      source = 'generated-ids';
    } else {
      const vocab = params.vocab ?? 1000;
      if (!Number.isInteger(vocab) || vocab < 1) throw new InputError('vocab must be a positive integer');
      const hi = Math.min(vocab, (LIMITS[type] ?? Number.MAX_SAFE_INTEGER) + 1);
      fill(data, type, () => Math.floor(rnd() * hi));
      source = 'generated-ids';
    }
  } else if (FLOAT_TYPES.has(type)) {
    fill(data, type, () => rnd() * 2 - 1);
    source = 'generated-random';
  } else {
    throw new InputError(`input '${meta.name}' has type ${type}, which cannot be generated: give it in inputs`);
  }
  return { name: meta.name, type, dims, data, source };
}

export function buildInputs(metas: readonly InputMeta[], params: JobParams): BuiltInput[] {
  const names = new Set(metas.map((m) => m.name));
  for (const k of Object.keys(params.inputs ?? {})) {
    if (!names.has(k)) throw new InputError(`the model has no input '${k}' (inputs: ${[...names].join(', ')})`);
  }
  return metas.map((m) => buildInput(m, params));
}

export function summarize(inputs: readonly BuiltInput[]): InputSummary[] {
  return inputs.map(({ name, type, dims, source }) => ({ name, type, dims, source }));
}
