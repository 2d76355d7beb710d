// One number per ONNX type, shared by the generated schema table and by element-type inference, so that
// "the type of a value" is a plain number that compares with ===.
//   tensor(t)                -> t itself, the ONNX DataType number (FLOAT = 1, FLOAT16 = 10, ...): always > 0
//   sparse_tensor(t)         -> -(1000 + t)
//   seq(tensor(t))           -> -(2000 + t)
//   optional(tensor(t))      -> -(3000 + t)
//   optional(seq(tensor(t))) -> -(4000 + t)
//   map(k, v)                -> -(10000 + 100 k + v)      (v a tensor element type)
//   seq(map(k, v))           -> -(20000 + 100 k + v)
// Non-tensor values are negative so that they never equal a DataType, and the encoding is arithmetic so no
// lookup table has to ship to the browser.
import type { TypeProto } from '../onnx/proto-types';

/** ONNX TensorProto.DataType numbers by the names op schemas use (onnx 1.23: FLOAT6E2M3 = 27, FLOAT6E3M2 = 28). */
const ELEM_TYPE_BY_NAME: Readonly<Record<string, number>> = {
  float: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9, float16: 10,
  double: 11, uint32: 12, uint64: 13, complex64: 14, complex128: 15, bfloat16: 16, float8e4m3fn: 17,
  float8e4m3fnuz: 18, float8e5m2: 19, float8e5m2fnuz: 20, uint4: 21, int4: 22, float4e2m1: 23, float8e8m0: 24,
  uint2: 25, int2: 26, float6e2m3: 27, float6e3m2: 28,
};

const NAME_BY_ELEM_TYPE: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(ELEM_TYPE_BY_NAME)) names[code] = name;
  return names;
})();

const SPARSE = 1000;
const SEQ = 2000;
const OPT = 3000;
const OPT_SEQ = 4000;
const MAP = 10000;
const SEQ_MAP = 20000;

export function isTensorType(code: number | undefined): code is number {
  return code !== undefined && code > 0;
}

export function seqOf(elem: number): number {
  return -(SEQ + elem);
}

/** optional(x) for a tensor or sequence-of-tensor code; undefined for anything else. */
export function optionalOf(code: number): number | undefined {
  if (code > 0) return -(OPT + code);
  const n = -code;
  if (n > SEQ && n < SEQ + SPARSE) return -(OPT_SEQ + (n - SEQ));
  return undefined;
}

/** Element tensor type of seq(tensor(t)); undefined for anything else. */
export function seqElem(code: number | undefined): number | undefined {
  if (code === undefined || code >= 0) return undefined;
  const n = -code;
  return n > SEQ && n < SEQ + SPARSE ? n - SEQ : undefined;
}

/** The type inside optional(...); undefined when the code is not an optional type. */
export function optionalInner(code: number | undefined): number | undefined {
  if (code === undefined || code >= 0) return undefined;
  const n = -code;
  if (n > OPT && n < OPT + SPARSE) return n - OPT;
  if (n > OPT_SEQ && n < OPT_SEQ + SPARSE) return seqOf(n - OPT_SEQ);
  return undefined;
}

function elemCode(name: string): number {
  const code = ELEM_TYPE_BY_NAME[name.trim()];
  if (code === undefined) throw new Error(`Unknown ONNX element type '${name}'`);
  return code;
}

/** Parses a schema type string such as "tensor(float)", "seq(tensor(int64))" or "map(int64, float)". */
export function parseTypeString(text: string): number {
  const s = text.replace(/\s+/g, '');
  const m = /^([a-z_]+)\((.*)\)$/.exec(s);
  if (!m) throw new Error(`Unparsable ONNX type '${text}'`);
  const [, kind, inner] = m;
  switch (kind) {
    case 'tensor':
      return elemCode(inner);
    case 'sparse_tensor':
      return -(SPARSE + elemCode(inner));
    case 'seq': {
      if (inner.startsWith('map(')) return -(SEQ_MAP - MAP) + parseTypeString(inner);
      const t = parseTypeString(inner);
      if (!isTensorType(t)) throw new Error(`Unsupported sequence type '${text}'`);
      return seqOf(t);
    }
    case 'optional': {
      const o = optionalOf(parseTypeString(inner));
      if (o === undefined) throw new Error(`Unsupported optional type '${text}'`);
      return o;
    }
    case 'map': {
      const comma = inner.indexOf(',');
      const key = elemCode(inner.slice(0, comma));
      const valueText = inner.slice(comma + 1);
      // Schemas write map(int64, float); onnxruntime's kernel docs write map(int64,tensor(float)).
      const value = valueText.startsWith('tensor(') ? parseTypeString(valueText) : elemCode(valueText);
      return -(MAP + 100 * key + value);
    }
    default:
      throw new Error(`Unsupported ONNX type '${text}'`);
  }
}

/** Readable name of a type code, in schema notation ("tensor(float16)", "seq(tensor(int64))", ...). */
export function typeCodeToString(code: number): string {
  const elem = (t: number) => NAME_BY_ELEM_TYPE[t] ?? `elem${t}`;
  if (code > 0) return `tensor(${elem(code)})`;
  const n = -code;
  if (n >= SEQ_MAP) return `seq(${typeCodeToString(-(n - SEQ_MAP + MAP))})`;
  if (n >= MAP) return `map(${elem(Math.floor((n - MAP) / 100))}, ${elem((n - MAP) % 100)})`;
  if (n > OPT_SEQ) return `optional(seq(tensor(${elem(n - OPT_SEQ)})))`;
  if (n > OPT) return `optional(tensor(${elem(n - OPT)}))`;
  if (n > SEQ) return `seq(tensor(${elem(n - SEQ)}))`;
  if (n > SPARSE) return `sparse_tensor(${elem(n - SPARSE)})`;
  return 'undefined';
}

/** Code of a declared TypeProto (value_info, graph input/output); undefined when the element type is unset. */
export function typeProtoCode(type: TypeProto | undefined): number | undefined {
  if (!type) return undefined;
  const known = (t: number | undefined) => (t ? t : undefined);
  if (type.tensorType) return known(type.tensorType.elemType);
  if (type.sparseTensorType) {
    const t = known(type.sparseTensorType.elemType);
    return t === undefined ? undefined : -(SPARSE + t);
  }
  if (type.sequenceType) {
    const inner = typeProtoCode(type.sequenceType.elemType);
    if (isTensorType(inner)) return seqOf(inner);
    if (inner !== undefined && -inner >= MAP && -inner < SEQ_MAP) return inner - (SEQ_MAP - MAP);
    return undefined;
  }
  if (type.optionalType) {
    const inner = typeProtoCode(type.optionalType.elemType);
    return inner === undefined ? undefined : optionalOf(inner);
  }
  if (type.mapType) {
    const key = known(type.mapType.keyType);
    const value = typeProtoCode(type.mapType.valueType);
    return key !== undefined && isTensorType(value) ? -(MAP + 100 * key + value) : undefined;
  }
  return undefined;
}
