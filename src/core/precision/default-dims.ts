// Sizes for a model's symbolic input dims that a first preview can run with, read from the inputs' shapes:
// a blanket 16 for every dim made an OCR detector run a batch of 16 images of 16x16 pixels and fail.
//   - a dim on the first axis of any input is the batch: 1;
//   - the spatial dims of an image-like input (4-D float, NCHW or NHWC with 1-4 channels): 224 pixels;
//   - anything else (sequence lengths, ...): 16, short enough to preview a large model in seconds.
import { DataType } from '../onnx/proto-types';

export interface InputShape {
  name: string;
  elemType: number | undefined;
  /** Fixed dims as numbers, symbolic ones by name ('?' or '' for an unnamed one). */
  shape: readonly (number | string)[] | undefined;
}

const DEFAULT_BATCH = 1;
const DEFAULT_IMAGE_SIZE = 224;
const DEFAULT_SEQUENCE = 16;

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

function named(dim: number | string | undefined): dim is string {
  return typeof dim === 'string' && dim !== '' && dim !== '?';
}

/** Axes of a 4-D float input that hold its height and width, or none when it does not look like an image. */
function spatialAxes(input: InputShape): number[] {
  const shape = input.shape;
  if (!shape || shape.length !== 4 || input.elemType === undefined || !FLOATS.has(input.elemType)) return [];
  const channels = (dim: number | string) => typeof dim === 'number' && dim >= 1 && dim <= 4;
  if (channels(shape[1])) return [2, 3];
  if (channels(shape[3])) return [1, 2];
  return [];
}

/** Every symbolic dim name of the inputs, in first-seen order. */
export function symbolicDimNames(inputs: readonly InputShape[]): string[] {
  const names = new Set<string>();
  for (const input of inputs) for (const dim of input.shape ?? []) if (named(dim)) names.add(dim);
  return [...names];
}

export function defaultDims(inputs: readonly InputShape[]): Record<string, number> {
  const batch = new Set<string>();
  const spatial = new Set<string>();
  for (const input of inputs) {
    const shape = input.shape ?? [];
    if (named(shape[0]) && shape.length > 1) batch.add(shape[0]);
    for (const axis of spatialAxes(input)) if (named(shape[axis])) spatial.add(shape[axis] as string);
  }
  const dims: Record<string, number> = {};
  for (const name of symbolicDimNames(inputs)) {
    dims[name] = batch.has(name) || /batch/i.test(name) ? DEFAULT_BATCH : spatial.has(name) ? DEFAULT_IMAGE_SIZE : DEFAULT_SEQUENCE;
  }
  return dims;
}

/** The shape each input gets with these dims bound (unnamed or unbound symbolic dims run as 1, as the engine feeds them). */
export function boundShape(shape: readonly (number | string)[] | undefined, dims: Readonly<Record<string, number>>): number[] {
  return (shape ?? []).map((dim) => (typeof dim === 'number' ? Math.max(1, dim) : named(dim) ? dims[dim] ?? 1 : 1));
}
