// One table of the element types that tensors on the host can have: the ONNX element type, the name
// onnxruntime's JavaScript APIs use, bytes per element and the TypedArray that holds the data. Every
// switch over element types (wire tensors, generated inputs, preview feeds, test data) reads this table.
import { DataType } from '../onnx/proto-types';

/** Element types as onnxruntime-js names them (float16 data is held as IEEE half bits in a Uint16Array). */
export type TensorType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';

export type TensorData =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

interface TypedArrayConstructor {
  new (length: number): TensorData;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
}

export interface Dtype {
  type: TensorType;
  /** ONNX TensorProto.DataType. */
  elemType: number;
  bytes: number;
  array: TypedArrayConstructor;
  /** Values are floats (float16 as half bits). */
  float: boolean;
  /** Integer range of the type, for generated ids. */
  max?: number;
}

const row = (type: TensorType, elemType: number, array: TypedArrayConstructor, float: boolean, max?: number): Dtype => ({
  type,
  elemType,
  bytes: array.BYTES_PER_ELEMENT,
  array,
  float,
  max,
});

export const DTYPES: Readonly<Record<TensorType, Dtype>> = {
  float32: row('float32', DataType.FLOAT, Float32Array as TypedArrayConstructor, true),
  float16: row('float16', DataType.FLOAT16, Uint16Array as TypedArrayConstructor, true),
  float64: row('float64', DataType.DOUBLE, Float64Array as TypedArrayConstructor, true),
  int64: row('int64', DataType.INT64, BigInt64Array as unknown as TypedArrayConstructor, false),
  int32: row('int32', DataType.INT32, Int32Array as TypedArrayConstructor, false, 2 ** 31 - 1),
  int16: row('int16', DataType.INT16, Int16Array as TypedArrayConstructor, false, 32767),
  int8: row('int8', DataType.INT8, Int8Array as TypedArrayConstructor, false, 127),
  uint8: row('uint8', DataType.UINT8, Uint8Array as TypedArrayConstructor, false, 255),
  uint16: row('uint16', DataType.UINT16, Uint16Array as TypedArrayConstructor, false, 65535),
  uint32: row('uint32', DataType.UINT32, Uint32Array as TypedArrayConstructor, false, 2 ** 32 - 1),
  uint64: row('uint64', DataType.UINT64, BigUint64Array as unknown as TypedArrayConstructor, false),
  bool: row('bool', DataType.BOOL, Uint8Array as TypedArrayConstructor, false, 1),
};

const BY_ELEM_TYPE = new Map<number, TensorType>(Object.values(DTYPES).map((d) => [d.elemType, d.type]));

export function isTensorType(type: string): type is TensorType {
  return Object.hasOwn(DTYPES, type);
}

/** The host type of an ONNX element type; undefined for types the runtimes cannot feed (string, bfloat16, ...). */
export function tensorTypeOf(elemType: number): TensorType | undefined {
  return BY_ELEM_TYPE.get(elemType);
}

export function bytesPerElement(type: TensorType): number {
  return DTYPES[type].bytes;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A zero-filled array of `count` elements of `type`. */
export function allocTensor(type: TensorType, count: number): TensorData {
  return new DTYPES[type].array(count);
}

/** A view of `type` over a whole buffer (which must be aligned to the element size). */
export function tensorView(type: TensorType, buffer: ArrayBuffer): TensorData {
  return new DTYPES[type].array(buffer);
}

/** Bytes as `type`, copied when they are not aligned to the element size (views into a file often are not). */
export function tensorFromBytes(type: TensorType, bytes: Uint8Array): TensorData {
  const size = DTYPES[type].bytes;
  const aligned = bytes.byteOffset % size === 0 && bytes.byteLength % size === 0 ? bytes : bytes.slice();
  return new DTYPES[type].array(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / size);
}
