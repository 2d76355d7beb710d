// Seeded model inputs, one rule set for every runtime: token ids kept inside the vocabulary (the first dim
// of the embedding table the ids index, when the model shows it), masks as ones, token-type/segment ids as
// zeros, position ids counting along the last axis, floats uniform in [-1, 1]. Each input draws from its own
// stream (the seed mixed with its name), so adding an input does not change the others. Pure and
// deterministic: the same seed gives the same run in the browser, in Node, in the companion and on the GPU.
import type { IrModel } from '../ir';
import { DataType, toNumber } from '../onnx/proto-types';
import { DTYPES, allocTensor, elementCount, isTensorType, tensorTypeOf, type TensorData, type TensorType } from './dtype';
import { float32ToFloat16Bits } from './half';
import type { HostTensor } from './host-tensor';
import { isSampleRateInput, unnamedDimKey } from '../precision/default-dims';

/** Upper bound (exclusive) of generated token ids when nothing better is known. */
const DEFAULT_VOCAB = 1000;

/** What an input needs to be generated: its type, its concrete dims and, for ids, the vocabulary size. */
export interface InputDescription {
  name: string;
  type: TensorType;
  dims: number[];
  /** Rows of the embedding table the ids index (ids are drawn below it); default DEFAULT_VOCAB. */
  vocab?: number;
}

export type InputSource = 'generated-ids' | 'generated-ones' | 'generated-random' | 'generated-zeros';

export interface SeededInput extends HostTensor {
  source: InputSource;
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

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function fill(data: TensorData, type: TensorType, f: (i: number) => number): void {
  const n = data.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(f(i));
  } else if (type === 'float16') {
    for (let i = 0; i < n; i++) (data as Uint16Array)[i] = float32ToFloat16Bits(f(i));
  } else {
    const d = data as Float32Array;
    for (let i = 0; i < n; i++) d[i] = f(i);
  }
}

/** One input's data; throws for element types that cannot be generated. */
export function seededInput(input: InputDescription, seed: number): SeededInput {
  const { name, type, dims } = input;
  if (!isTensorType(type)) throw new Error(`input '${name}' has type ${type}, which cannot be generated`);
  const dtype = DTYPES[type];
  const data = allocTensor(type, elementCount(dims));
  const random = seededRandom((seed ^ hashName(name)) >>> 0);
  const lower = name.toLowerCase();
  let source: InputSource;
  if (type === 'bool' || lower.includes('mask')) {
    fill(data, type, () => 1);
    source = 'generated-ones';
  } else if (!dtype.float) {
    if (lower.includes('token_type') || lower.includes('segment')) {
      source = 'generated-zeros';
    } else if (isSampleRateInput(name) && elementCount(dims) === 1) {
      // A sample rate (silero VAD's `sr`): 16 kHz, the rate such models are trained on; an id drawn below
      // 1000 would pick a branch meant for no real audio.
      fill(data, type, () => 16000);
      source = 'generated-ids';
    } else if (lower.includes('position')) {
      const last = dims[dims.length - 1] ?? 1;
      fill(data, type, (i) => i % last);
      source = 'generated-ids';
    } else {
      const bound = Math.min(input.vocab ?? DEFAULT_VOCAB, (dtype.max ?? Number.MAX_SAFE_INTEGER) + 1);
      fill(data, type, () => Math.floor(random() * bound));
      source = 'generated-ids';
    }
  } else {
    fill(data, type, () => random() * 2 - 1);
    source = 'generated-random';
  }
  return { name, type, dims: [...dims], data, source };
}

/** The smallest embedding table (rows) that a Gather reads with this input as indices, if any. */
function vocabularyOf(model: IrModel, input: string): number | undefined {
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

/** Vocabulary sizes of the model's integer inputs that index an embedding table. */
export function vocabularies(model: IrModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const vi of model.main.proto.input ?? []) {
    const name = vi.name ?? '';
    const elemType = vi.type?.tensorType?.elemType;
    if (model.main.initializers.has(name) || (elemType !== DataType.INT64 && elemType !== DataType.INT32)) continue;
    const vocab = vocabularyOf(model, name);
    if (vocab) out[name] = vocab;
  }
  return out;
}

/**
 * One dim of an input bound from `dims`: its size, else its name's entry, else (neither size nor name) the
 * `input[axis]` entry the preview panel shows for it; 1 when unbound.
 */
export function boundDim(input: string, axis: number, dim: { dimParam?: string; dimValue?: unknown }, dims: Readonly<Record<string, number>>): number {
  if (dim.dimParam) return dims[dim.dimParam] ?? 1;
  const size = toNumber(dim.dimValue as Parameters<typeof toNumber>[0]);
  return size > 0 ? size : dims[unnamedDimKey(input, axis)] ?? 1;
}

/** The model's graph inputs with symbolic dims bound from `dims` (1 when unbound), ready to generate. */
function modelInputs(model: IrModel, dims: Record<string, number>): InputDescription[] {
  const main = model.main;
  const result: InputDescription[] = [];
  for (const vi of main.proto.input ?? []) {
    const name = vi.name ?? '';
    if (main.initializers.has(name)) continue;
    const tensor = vi.type?.tensorType;
    const type = tensorTypeOf(tensor?.elemType ?? DataType.FLOAT) ?? 'float32';
    const shape = (tensor?.shape?.dim ?? []).map((d, axis) => boundDim(name, axis, d, dims));
    result.push({ name, type, dims: shape, vocab: DTYPES[type].float ? undefined : vocabularyOf(model, name) });
  }
  return result;
}

/** Seeded inputs for every graph input of the model. */
export function generateInputs(model: IrModel, dims: Record<string, number>, seed = 0): SeededInput[] {
  return modelInputs(model, dims).map((input) => seededInput(input, seed));
}
