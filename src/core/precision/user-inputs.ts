// The user's own model inputs: NumPy .npy files (one per input, named after it) or one JSON file
// ({ "input_ids": [[101, 2023]], "mask": { "dims": [1, 2], "data": [1, 1] } }), checked against the
// model's inputs and converted to the element type each input declares.
import { CastawayError } from '../errors';
import { DTYPES, tensorView, type TensorType } from '../tensor/dtype';
import { float16ArrayToFloat32 } from '../tensor/half';
import { hostTypeOf, typedFrom, type HostTensor } from '../tensor/host-tensor';

export interface ParsedArray {
  dims: number[];
  values: ArrayLike<number | bigint | boolean>;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy dtype codes (byte order stripped) and the host type that holds their data. */
const NPY_TYPES: Readonly<Record<string, TensorType>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

/** Parses a .npy file (format 1.0-3.0, C order, little-endian or single-byte dtypes). */
export function parseNpy(bytes: Uint8Array, where = '.npy'): ParsedArray {
  if (bytes.byteLength < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) throw new CastawayError('bad-inputs', 'not a NumPy .npy file', where);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder(major >= 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new CastawayError('bad-inputs', `unreadable .npy header: ${header.trim()}`, where);
  if (fortran) throw new CastawayError('bad-inputs', 'Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray', where);
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  if (descr.startsWith('>') && !/^>[iuf]1$/.test(descr)) throw new CastawayError('bad-inputs', `big-endian dtype ${descr} is not supported`, where);
  const kind = descr.replace(/^[<|=]/, '');
  const type = NPY_TYPES[kind];
  if (!type) throw new CastawayError('bad-inputs', `dtype ${descr} is not supported`, where);
  const size = DTYPES[type].bytes;
  if (bytes.byteLength - dataStart < count * size) throw new CastawayError('bad-inputs', `data is shorter than shape (${dims.join('x')}) needs`, where);
  const values = tensorView(type, bytes.slice(dataStart, dataStart + count * size).buffer); // aligned copy
  return { dims, values: type === 'float16' ? float16ArrayToFloat32(values as Uint16Array) : values };
}

type Json = number | boolean | string | null | Json[] | { [key: string]: Json };

function flatten(value: Json, where: string): ParsedArray {
  const dims: number[] = [];
  let probe: Json = value;
  while (Array.isArray(probe)) {
    dims.push(probe.length);
    probe = probe[0] ?? 0;
  }
  const values: number[] = [];
  const walk = (v: Json, depth: number) => {
    if (depth === dims.length) {
      if (typeof v === 'number' || typeof v === 'boolean') values.push(Number(v));
      else throw new CastawayError('bad-inputs', `expected a number, got ${JSON.stringify(v)}`, where);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) throw new CastawayError('bad-inputs', 'ragged nested arrays', where);
    for (const item of v) walk(item, depth + 1);
  };
  walk(value, 0);
  return { dims, values };
}

/** Parses a JSON inputs file: input name -> nested array, or { dims, data } with flat data. */
export function parseJsonInputs(text: string, where = 'inputs.json'): Record<string, ParsedArray> {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    throw new CastawayError('bad-inputs', `not JSON: ${error instanceof Error ? error.message : String(error)}`, where);
  }
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new CastawayError('bad-inputs', 'expected an object of input name -> array', where);
  const out: Record<string, ParsedArray> = {};
  for (const [name, value] of Object.entries(root)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const dims = value.dims;
      const data = value.data;
      if (!Array.isArray(dims) || !Array.isArray(data)) throw new CastawayError('bad-inputs', 'expected { dims: [...], data: [...] }', `${where}: ${name}`);
      const flat = flatten(data, `${where}: ${name}`);
      const parsed = { dims: dims.map(Number), values: flat.values };
      const count = parsed.dims.reduce((a, b) => a * b, 1);
      if (count !== flat.values.length) throw new CastawayError('bad-inputs', `dims ${parsed.dims.join('x')} need ${count} values, got ${flat.values.length}`, `${where}: ${name}`);
      out[name] = parsed;
    } else out[name] = flatten(value, `${where}: ${name}`);
  }
  return out;
}

/** The inputs a model declares, as generateInputs reports them (dims with symbolic ones bound). */
export interface InputSpec {
  name: string;
  /** ONNX element type. */
  elemType: number;
  dims: number[];
  symbolic?: boolean[];
}

/**
 * Binds user arrays to the model's inputs: every input must be given, fixed dims must match (symbolic
 * ones may take any size), and values are converted to the input's element type.
 */
export function bindUserInputs(specs: readonly InputSpec[], given: Record<string, ParsedArray>): HostTensor[] {
  const unknown = Object.keys(given).filter((name) => !specs.some((s) => s.name === name));
  if (unknown.length) throw new CastawayError('bad-inputs', `the model has no input named ${unknown.join(', ')} (inputs: ${specs.map((s) => s.name).join(', ')})`, unknown[0]);
  return specs.map((spec) => {
    const array = given[spec.name];
    if (!array) throw new CastawayError('bad-inputs', `no data given for input ${spec.name}`, spec.name);
    if (array.dims.length !== spec.dims.length) throw new CastawayError('bad-inputs', `rank ${array.dims.length}, the model expects ${spec.dims.length}`, spec.name);
    array.dims.forEach((d, i) => {
      if (!spec.symbolic?.[i] && d !== spec.dims[i]) throw new CastawayError('bad-inputs', `dim ${i} is ${d}, the model expects ${spec.dims[i]}`, spec.name);
    });
    const type = hostTypeOf(spec.elemType);
    if (!type) throw new CastawayError('bad-inputs', `element type ${spec.elemType} is not supported for inputs`, spec.name);
    return { name: spec.name, type: type === 'float16' ? 'float32' : type, dims: array.dims, data: typedFrom(type === 'float16' ? 'float32' : type, array.values) };
  });
}
