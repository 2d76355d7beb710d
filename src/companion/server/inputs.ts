// Builds a model's inputs from its input metadata: symbolic dims bound from the request, then the engine's
// seeded generator (core tensor/seeded-inputs.ts: the same rules and the same data as the browser's preview
// for the same seed); or the request's own tensors. Pure (no onnxruntime import) so it can be tested and
// reused by the CLI.

import { decodeTensor, type InputSummary, type JobParams, type TensorData, type TensorType } from '../shared/protocol.js';
import { elementCount, isTensorType, seededInput } from '../../core/index';

/** The part of onnxruntime's InferenceSession.ValueMetadata this needs. */
export interface InputMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface BuiltInput {
  name: string;
  type: TensorType;
  dims: number[];
  data: TensorData;
  source: InputSummary['source'];
}

export class InputError extends Error {
  override name = 'InputError';
}

function resolveShape(meta: InputMeta, params: JobParams): number[] {
  const given = params.shapes?.[meta.name];
  if (given) {
    if (!Array.isArray(given) || given.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InputError(`shapes.${meta.name} must be an array of non-negative integers`);
    }
    return [...given];
  }
  const shape = meta.shape ?? [];
  return shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    const sym = typeof d === 'string' ? d : '';
    if (sym && params.dims && sym in params.dims) {
      const v = params.dims[sym];
      if (!Number.isInteger(v) || v < 0) throw new InputError(`dims.${sym} must be a non-negative integer`);
      return v;
    }
    const known = Object.keys(params.dims ?? {});
    throw new InputError(
      sym
        ? `input '${meta.name}' has symbolic dim '${sym}' (axis ${i}) with no size: give it in dims, e.g. {"${sym}": 1}` +
            (known.length ? ` (given: ${known.join(', ')})` : '')
        : `input '${meta.name}' has an unnamed dynamic dim (axis ${i}): give its full shape in shapes.${meta.name}`,
    );
  });
}

/**
 * One input: the request's tensor, or generated. Token ids are drawn below the embedding table's rows
 * (`vocabularies`, from the model) and below `params.vocab` when given; 1000 when neither is known.
 */
function buildInput(meta: InputMeta, params: JobParams, vocabularies: Readonly<Record<string, number>> = {}): BuiltInput {
  if (!meta.isTensor || !meta.type) throw new InputError(`input '${meta.name}' is not a tensor: give it in inputs`);
  const type = meta.type as TensorType;
  const given = params.inputs?.[meta.name];
  if (given) {
    if (given.type !== type) {
      throw new InputError(`input '${meta.name}' is ${type} in the model but ${given.type} in the request`);
    }
    let data: TensorData;
    try {
      data = decodeTensor(given);
    } catch (e) {
      throw new InputError(`input '${meta.name}': ${(e as Error).message}`);
    }
    return { name: meta.name, type, dims: [...given.dims], data, source: 'given' };
  }
  const dims = resolveShape(meta, params);
  const n = elementCount(dims);
  if (n > 512 * 1024 * 1024) throw new InputError(`input '${meta.name}' would hold ${n} elements: too large`);
  if (!isTensorType(type)) throw new InputError(`input '${meta.name}' has type ${type}, which cannot be generated: give it in inputs`);
  if (params.vocab !== undefined && (!Number.isInteger(params.vocab) || params.vocab < 1)) throw new InputError('vocab must be a positive integer');
  const bounds = [params.vocab, vocabularies[meta.name]].filter((v): v is number => v !== undefined);
  const vocab = bounds.length ? Math.min(...bounds) : undefined;
  const { data, source } = seededInput({ name: meta.name, type, dims, vocab }, params.seed ?? 0);
  return { name: meta.name, type, dims, data, source };
}

export function buildInputs(metas: readonly InputMeta[], params: JobParams, vocabularies: Readonly<Record<string, number>> = {}): BuiltInput[] {
  const names = new Set(metas.map((m) => m.name));
  for (const k of Object.keys(params.inputs ?? {})) {
    if (!names.has(k)) throw new InputError(`the model has no input '${k}' (inputs: ${[...names].join(', ')})`);
  }
  return metas.map((m) => buildInput(m, params, vocabularies));
}

export function summarize(inputs: readonly BuiltInput[]): InputSummary[] {
  return inputs.map(({ name, type, dims, source }) => ({ name, type, dims, source }));
}
