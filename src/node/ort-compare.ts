// Runs an fp32 model and its converted model with onnxruntime-node (CPU) on the same inputs and compares
// outputs. fp16 inputs/outputs are converted at the boundary so both are compared as float32.
import * as ort from 'onnxruntime-node';
import { compareArrays, type OutputComparison } from '../core/precision/metrics';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../core/rewrite/fp16';

export { compareArrays, type OutputComparison };

export type Feeds = Record<string, ort.Tensor>;

export function toFloat32(tensor: ort.Tensor): Float32Array | undefined {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const data = tensor.data as Uint16Array | Float32Array;
    if (data instanceof Float32Array) return data;
    return Float32Array.from(data, float16BitsToFloat32);
  }
  if (tensor.type === 'float64') return Float32Array.from(tensor.data as Float64Array);
  return undefined;
}

/** Adapts feeds to a session's input types (float32 data given to an fp16 input becomes fp16 bits). */
export function adaptFeeds(feeds: Feeds, inputTypes: Record<string, string>): Feeds {
  const adapted: Feeds = {};
  for (const [name, tensor] of Object.entries(feeds)) {
    const want = inputTypes[name];
    if (want === 'float16' && tensor.type === 'float32') {
      adapted[name] = new ort.Tensor('float16', Uint16Array.from(tensor.data as Float32Array, float32ToFloat16Bits), tensor.dims);
    } else adapted[name] = tensor;
  }
  return adapted;
}

export async function runModel(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 4 });
  try {
    const types: Record<string, string> = {};
    session.inputNames.forEach((name, i) => {
      const meta = session.inputMetadata[i] as { type?: string } | undefined;
      if (meta?.type) types[name] = meta.type;
    });
    const wanted = Object.fromEntries(Object.entries(adaptFeeds(feeds, types)).filter(([k]) => session.inputNames.includes(k)));
    return await session.run(wanted);
  } finally {
    await session.release();
  }
}

/** Compares a candidate model's outputs with reference outputs (a model's bytes, or outputs already run). */
export async function compareModels(reference: Uint8Array | Record<string, ort.Tensor>, candidate: Uint8Array, feeds: Feeds): Promise<OutputComparison[]> {
  const a = reference instanceof Uint8Array ? await runModel(reference, feeds) : reference;
  const b = await runModel(candidate, feeds);
  return Object.keys(a).flatMap((name) => {
    const ra = toFloat32(a[name]);
    const rb = b[name] && toFloat32(b[name]);
    if (!ra || !rb) return [];
    return [compareArrays(name, ra, rb)];
  });
}
