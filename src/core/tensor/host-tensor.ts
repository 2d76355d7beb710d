// Host-side tensors for model runs: what the preview feeds a runtime and reads back, independent of which
// runtime (onnxruntime-web in the browser, onnxruntime-node in tests and the companion).
import { DTYPES, tensorTypeOf, type TensorData, type TensorType } from './dtype';
import { float16ArrayToFloat32 } from './half';

/** Element types a model input can take here, named as onnxruntime's JavaScript APIs name them. */
export type HostType = TensorType;

export type HostData = TensorData;

export interface HostTensor {
  name: string;
  type: HostType;
  dims: number[];
  data: HostData;
}

export function hostTypeOf(elemType: number): HostType | undefined {
  return tensorTypeOf(elemType);
}

/** Float data as float32 for comparison (fp16 bits decoded); undefined for non-float data. */
export function asFloat32(type: string, data: unknown): Float32Array | undefined {
  if (type === 'float32') return data as Float32Array;
  if (type === 'float64') return new Float32Array(data as Float64Array); // typed-array source: no intermediate list
  if (type === 'float16') {
    if (data instanceof Float32Array) return data;
    if (data instanceof Uint16Array) return float16ArrayToFloat32(data);
    const values = data as ArrayLike<number>; // Float16Array where the runtime has it
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  return undefined;
}

/** Builds typed data of a host type from plain numbers (JSON inputs, .npy of another dtype). */
export function typedFrom(type: HostType, values: ArrayLike<number | bigint | boolean>): HostData {
  if (type === 'float16') throw new Error('float16 inputs are given as float32 values and converted by the runner');
  const n = values.length;
  const out = new DTYPES[type].array(n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(values[i]);
  }
  return out;
}
