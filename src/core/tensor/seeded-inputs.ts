// Seeded model inputs from the model's own input types and shapes: token ids kept inside the vocabulary
// (the first dim of the embedding table the ids index), masks as ones, floats uniform in [-1, 1].
// Pure and deterministic, so the same seed gives the same runs in the browser, in Node and on the GPU.
import type { IrModel } from '../ir';
import { DataType, toNumber } from '../onnx/proto-types';

export interface GeneratedInput {
  name: string;
  elemType: number;
  dims: number[];
  /** Float32Array for float inputs, BigInt64Array for int64, Int32Array for int32, Uint8Array for bool. */
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The smallest embedding table (rows) that a Gather reads with this input as indices, if any. */
export function vocabularyOf(model: IrModel, input: string): number | undefined {
  const main = model.main;
  let vocab: number | undefined;
  const visit = (name: string, depth: number) => {
    if (depth > 3) return;
    for (const c of main.consumers.get(name) ?? []) {
      const node = main.nodes[c.node];
      if (c.slot < 0) continue;
      if (node.opType === 'Gather' && c.slot === 1) {
        const table = main.initializers.get(node.input?.[0] ?? '');
        const rows = table?.dims?.length ? toNumber(table.dims[0]) : undefined;
        if (rows) vocab = Math.min(vocab ?? rows, rows);
      } else if (['Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity', 'Cast'].includes(node.opType ?? '') && c.slot === 0) {
        for (const out of node.output ?? []) visit(out, depth + 1);
      }
    }
  };
  visit(input, 0);
  return vocab;
}

export function generateInputs(model: IrModel, dims: Record<string, number>, seed = 0): GeneratedInput[] {
  const random = seededRandom(seed);
  const main = model.main;
  const result: GeneratedInput[] = [];
  for (const vi of main.proto.input ?? []) {
    const name = vi.name ?? '';
    if (main.initializers.has(name)) continue;
    const tensor = vi.type?.tensorType;
    const elemType = tensor?.elemType ?? DataType.FLOAT;
    const shape = (tensor?.shape?.dim ?? []).map((d) => (d.dimParam ? dims[d.dimParam] ?? 1 : Math.max(1, toNumber(d.dimValue))));
    const count = shape.reduce((a, b) => a * b, 1);
    const isMask = /mask/i.test(name);
    let data: GeneratedInput['data'];
    switch (elemType) {
      case DataType.INT64: {
        const vocab = vocabularyOf(model, name) ?? 1000;
        data = BigInt64Array.from({ length: count }, () => (isMask ? 1n : BigInt(Math.floor(random() * vocab))));
        break;
      }
      case DataType.INT32: {
        const vocab = vocabularyOf(model, name) ?? 1000;
        data = Int32Array.from({ length: count }, () => (isMask ? 1 : Math.floor(random() * vocab)));
        break;
      }
      case DataType.BOOL:
        data = new Uint8Array(count).fill(1);
        break;
      default:
        data = Float32Array.from({ length: count }, () => (isMask ? 1 : random() * 2 - 1));
    }
    result.push({ name, elemType, dims: shape, data });
  }
  return result;
}
