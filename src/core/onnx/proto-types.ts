// TypeScript shapes of the ONNX protobuf messages as serde/ decodes them (camelCase field names).
// serde/schema.ts is the only module that touches protobufjs (for the schema); everything else sees these plain shapes.
// int64 fields decode to Long (exact round trip of values beyond 2^53); use toNumber() to read them.
// A decoded message holds only the fields present in the file (absent fields are undefined, never defaults).
// Fields this schema does not know are kept under UNKNOWN_FIELDS (raw field bytes, tag included) and written
// back by encodeModel, so a model from a newer ONNX survives a round trip.
import type Long from 'long';

export type Int64 = number | Long;

export const enum DataType {
  UNDEFINED = 0, FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8,
  BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, COMPLEX64 = 14, COMPLEX128 = 15,
  BFLOAT16 = 16, FLOAT8E4M3FN = 17, FLOAT8E4M3FNUZ = 18, FLOAT8E5M2 = 19, FLOAT8E5M2FNUZ = 20, UINT4 = 21,
  INT4 = 22, FLOAT4E2M1 = 23, FLOAT8E8M0 = 24,
}

export const enum AttributeType {
  UNDEFINED = 0, FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8,
  TENSORS = 9, GRAPHS = 10, SPARSE_TENSOR = 11, SPARSE_TENSORS = 12, TYPE_PROTO = 13, TYPE_PROTOS = 14,
}

/** Key of the raw bytes of fields the schema does not know, on any decoded message. */
export const UNKNOWN_FIELDS = '$unknownFields';

export interface StringStringEntryProto { key?: string; value?: string }
export interface OperatorSetIdProto { domain?: string; version?: Int64 }

export interface TensorProto {
  dims?: Int64[];
  dataType?: number;
  name?: string;
  docString?: string;
  /** A view into the decoded buffer (never a copy) until a rewrite replaces it. */
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  doubleData?: number[];
  uint64Data?: Int64[];
  stringData?: Uint8Array[];
  externalData?: StringStringEntryProto[];
  dataLocation?: number;
  segment?: { begin?: Int64; end?: Int64 };
  metadataProps?: StringStringEntryProto[];
  /**
   * Not a proto field: the bytes of an EXTERNAL tensor (a view into its data file), attached by
   * resolveExternalData. encodeModel never writes it; read any tensor's bytes with tensorBytes().
   */
  externalBytes?: Uint8Array;
  [field: string]: unknown;
}

export interface SparseTensorProto { values?: TensorProto; indices?: TensorProto; dims?: Int64[]; [field: string]: unknown }

export interface TensorShapeDimension { dimValue?: Int64; dimParam?: string; denotation?: string }
export interface TensorShapeProto { dim?: TensorShapeDimension[] }

export interface TypeProto {
  tensorType?: { elemType?: number; shape?: TensorShapeProto };
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType?: number; valueType?: TypeProto };
  optionalType?: { elemType?: TypeProto };
  sparseTensorType?: { elemType?: number; shape?: TensorShapeProto };
  denotation?: string;
  [field: string]: unknown;
}

export interface ValueInfoProto { name?: string; type?: TypeProto; docString?: string; [field: string]: unknown }

export interface AttributeProto {
  name?: string;
  type?: number;
  refAttrName?: string;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  docString?: string;
  sparseTensor?: SparseTensorProto;
  sparseTensors?: SparseTensorProto[];
  tp?: TypeProto;
  typeProtos?: TypeProto[];
  [field: string]: unknown;
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: AttributeProto[];
  docString?: string;
  [field: string]: unknown;
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparseInitializer?: SparseTensorProto[];
  docString?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
  [field: string]: unknown;
}

export interface FunctionProto {
  name?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  node?: NodeProto[];
  opsetImport?: OperatorSetIdProto[];
  /** Attribute names, and attributes with default values. */
  attribute?: string[];
  attributeProto?: AttributeProto[];
  [field: string]: unknown;
}

export interface ModelProto {
  irVersion?: Int64;
  opsetImport?: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph?: GraphProto;
  metadataProps?: StringStringEntryProto[];
  functions?: FunctionProto[];
  trainingInfo?: TrainingInfoProto[];
  [field: string]: unknown;
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initializationBinding?: StringStringEntryProto[];
  updateBinding?: StringStringEntryProto[];
  [field: string]: unknown;
}

/** Reads an int64 field as a JS number (exact up to 2^53, which covers every dim and opset). */
export function toNumber(value: Int64 | undefined | null): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value.toNumber === 'function') return value.toNumber();
  // A Long that lost its prototype crossing a worker boundary (structured clone keeps low/high/unsigned).
  const { low, high, unsigned } = value as { low: number; high: number; unsigned?: boolean };
  return (unsigned ? high >>> 0 : high | 0) * 0x100000000 + (low >>> 0);
}
