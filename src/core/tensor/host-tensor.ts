// Host-side tensors for model runs: what the preview feeds a runtime and reads back, independent of which
// runtime (onnxruntime-web in the browser, onnxruntime-node in tests and the companion).
import type { GeneratedInput } from './seeded-inputs';
import { DataType } from '../onnx/proto-types';
import { float16ArrayToFloat32 } from '../rewrite/fp16';

/** Element types a model input can take here, named as onnxruntime's JavaScript APIs name them. */
export type HostType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type HostData = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface HostTensor {
  name: string;
  type: HostType;
  dims: number[];
  data: HostData;
}

const BY_ELEM: Partial<Record<number, HostType>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.BOOL]: 'bool',
};

export function hostTypeOf(elemType: number): HostType | undefined {
  return BY_ELEM[elemType];
}

export function fromGenerated(inputs: readonly GeneratedInput[]): HostTensor[] {
  return inputs.map((input) => ({ name: input.name, type: hostTypeOf(input.elemType) ?? 'float32', dims: input.dims, data: input.data }));
}

/** Float data as float32 for comparison (fp16 bits decoded); undefined for non-float data. */
export function asFloat32(type: string, data: unknown): Float32Array | undefined {
  if (type === 'float32') return data as Float32Array;
  if (type === 'float64') return Float32Array.from(data as Float64Array);
  if (type === 'float16') {
    if (data instanceof Float32Array) return data;
    if (data instanceof Uint16Array) return float16ArrayToFloat32(data);
    return Float32Array.from(data as ArrayLike<number>);
  }
  return undefined;
}

/** Builds typed data of a host type from plain numbers (JSON inputs, .npy of another dtype). */
export function typedFrom(type: HostType, values: ArrayLike<number | bigint | boolean>): HostData {
  const n = values.length;
  const num = (i: number) => Number(values[i]);
  switch (type) {
    case 'float32':
      return Float32Array.from({ length: n }, (_, i) => num(i));
    case 'float64':
      return Float64Array.from({ length: n }, (_, i) => num(i));
    case 'float16':
      throw new Error('float16 inputs are given as float32 values and converted by the runner');
    case 'int64':
      return BigInt64Array.from({ length: n }, (_, i) => {
        const v = values[i];
        return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
      });
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => num(i));
    case 'int8':
      return Int8Array.from({ length: n }, (_, i) => num(i));
    case 'uint8':
    case 'bool':
      return Uint8Array.from({ length: n }, (_, i) => num(i));
  }
}
