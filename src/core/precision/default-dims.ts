// Sizes for a model's symbolic input dims that a first preview can run with, read from the inputs' shapes:
// a blanket 16 for every dim made an OCR detector run a batch of 16 images of 16x16 pixels and fail.
//   - a dim on the first axis of any input is the batch: 1;
//   - the spatial dims of an image-like input (4-D float, NCHW or NHWC with 1-4 channels): 224 pixels;
//   - the samples of an audio input (a float signal beside a sample-rate input, or named like audio): 512,
//     a 32 ms chunk at 16 kHz, what voice-activity models such as silero VAD take (1 sample fails their Pad);
//   - anything else (sequence lengths, ...): 16, short enough to preview a large model in seconds.
// A dim with neither a size nor a name (silero's `input` is [?, ?]) gets a name of its own, `input[1]`, so
// the panel shows it with the others and the user can change it; it defaults by the same rules, else 1.
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
const DEFAULT_AUDIO_SAMPLES = 512;

/** The size-field name of a dim that has neither a size nor a name: the input and the axis. */
export function unnamedDimKey(input: string, axis: number): string {
  return `${input}[${axis}]`;
}

/** Integer scalar inputs named like a sample rate (silero's `sr`): the seeded inputs give them 16000. */
export function isSampleRateInput(name: string): boolean {
  return /^(sr|sample_?rate|sampling_?rate)$/i.test(name);
}

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16]);

function named(dim: number | string | undefined): dim is string {
  return typeof dim === 'string' && dim !== '' && dim !== '?';
}

function unknown(dim: number | string | undefined): boolean {
  return dim === undefined || dim === '' || dim === '?' || (typeof dim === 'number' && dim <= 0);
}

/** The name the panel gives a dim: its own, or the input and axis when it has none; undefined when fixed. */
function dimName(input: string, axis: number, dim: number | string | undefined): string | undefined {
  if (named(dim)) return dim;
  return unknown(dim) ? unnamedDimKey(input, axis) : undefined;
}

/** The samples axis of an audio input (rank 1-3 float, last dim not fixed), or -1. */
function audioAxis(input: InputShape, inputs: readonly InputShape[]): number {
  const shape = input.shape;
  if (!shape || shape.length < 1 || shape.length > 3 || input.elemType === undefined || !FLOATS.has(input.elemType)) return -1;
  const last = shape.length - 1;
  if (!named(shape[last]) && !unknown(shape[last])) return -1;
  const audio = /audio|wav|pcm|waveform|speech/i.test(input.name) || inputs.some((other) => isSampleRateInput(other.name));
  return audio ? last : -1;
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
  for (const input of inputs) {
    (input.shape ?? []).forEach((dim, axis) => {
      const name = dimName(input.name, axis, dim);
      if (name !== undefined) names.add(name);
    });
  }
  return [...names];
}

export function defaultDims(inputs: readonly InputShape[]): Record<string, number> {
  const batch = new Set<string>();
  const spatial = new Set<string>();
  const samples = new Set<string>();
  for (const input of inputs) {
    const shape = input.shape ?? [];
    const name = (axis: number) => dimName(input.name, axis, shape[axis]);
    if (shape.length > 1 && name(0) !== undefined) batch.add(name(0)!);
    for (const axis of spatialAxes(input)) if (named(shape[axis])) spatial.add(shape[axis] as string);
    const audio = audioAxis(input, inputs);
    if (audio >= 0 && name(audio) !== undefined) samples.add(name(audio)!);
  }
  const dims: Record<string, number> = {};
  for (const input of inputs) {
    (input.shape ?? []).forEach((dim, axis) => {
      const name = dimName(input.name, axis, dim);
      if (name === undefined || name in dims) return;
      // A named dim that is no batch, image or audio axis is a sequence; an unnamed one runs as 1, as before.
      const other = named(dim) ? DEFAULT_SEQUENCE : 1;
      dims[name] = samples.has(name) ? DEFAULT_AUDIO_SAMPLES : batch.has(name) || /batch/i.test(name) ? DEFAULT_BATCH : spatial.has(name) ? DEFAULT_IMAGE_SIZE : other;
    });
  }
  return dims;
}

/**
 * The shape each input gets with these dims bound (unbound symbolic dims run as 1, as the engine feeds
 * them); an unnamed dim reads its `input[axis]` size when the input's name is given.
 */
export function boundShape(shape: readonly (number | string)[] | undefined, dims: Readonly<Record<string, number>>, input?: string): number[] {
  return (shape ?? []).map((dim, axis) => {
    if (typeof dim === 'number' && dim > 0) return dim;
    const name = named(dim) ? dim : input !== undefined ? unnamedDimKey(input, axis) : undefined;
    return name !== undefined ? dims[name] ?? 1 : 1;
  });
}
