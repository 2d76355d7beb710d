// Values of the small integer tensors an exported graph computes its shape arguments from (Shape ->
// Gather -> Unsqueeze -> Concat -> Reshape; torch's expand(-1) as Equal/Where over a ConstantOfShape), the
// way onnx's data propagation (infer_shapes(data_prop=True)) follows them. Used only when the graph's input
// dims are bound to sizes (the bytes objective's --dims): then a Reshape or Expand whose shape is computed
// at run time gets a known output shape, and the planner can size values that torch's exporter left
// symbolic. The value_info Castaway writes does not use it (it keeps onnx's default, data_prop off).
import { toNumber, type NodeProto } from '../onnx/proto-types';
import { attribute } from '../types/node-output-types';
import type { Dim } from './dims';

/** Longest integer tensor followed (shape arguments are short). */
const MAX_VALUES = 64;

export interface PropagationInputs {
  opset: number;
  /** Known integer values of input i (constants or propagated), or undefined. */
  values(i: number): number[] | undefined;
  /** Shape of input i, or undefined. */
  shape(i: number): Dim[] | undefined;
  /** Integer values of the node's `value` tensor attribute (ConstantOfShape), or undefined. */
  tensorValue(): number[] | undefined;
}

/** The integer values of output 0, when the op is one this follows and its inputs are known; else undefined. */
export function propagateValues(node: NodeProto, at: PropagationInputs): number[] | undefined {
  const out = compute(node, at);
  return out && out.length <= MAX_VALUES && out.every(Number.isSafeInteger) ? out : undefined;
}

function compute(node: NodeProto, at: PropagationInputs): number[] | undefined {
  const int = (name: string) => {
    const a = attribute(node, name);
    return a && a.i !== undefined && a.i !== null ? toNumber(a.i) : undefined;
  };
  switch (node.opType) {
    case 'Shape': {
      const s = at.shape(0);
      if (!s || !s.every((d) => typeof d === 'number')) return undefined;
      const r = s.length;
      const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
      const start = at.opset >= 15 ? clamp(int('start') ?? 0) : 0;
      const end = at.opset >= 15 ? clamp(int('end') ?? r) : r;
      return (s as number[]).slice(start, end);
    }
    case 'Size': {
      const s = at.shape(0);
      return s && s.every((d) => typeof d === 'number') ? [(s as number[]).reduce((a, b) => a * b, 1)] : undefined;
    }
    // element order unchanged
    case 'Identity':
    case 'Cast':
    case 'Squeeze':
    case 'Unsqueeze':
    case 'Reshape':
    case 'Flatten':
      return at.values(0);
    case 'Gather': {
      const data = at.values(0);
      const idx = at.values(1);
      if (!data || !idx || (int('axis') ?? 0) !== 0 || (at.shape(0)?.length ?? 0) !== 1) return undefined;
      const picked = idx.map((i) => data[i < 0 ? i + data.length : i]);
      return picked.every((v) => v !== undefined) ? picked : undefined;
    }
    case 'Concat': {
      const parts: number[] = [];
      for (let i = 0; i < (node.input ?? []).length; i++) {
        const v = at.values(i);
        if (!v) return undefined;
        parts.push(...v);
      }
      return parts;
    }
    case 'Slice':
      return slice(at);
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Equal':
    case 'Max':
    case 'Min':
      return elementwise(at, [0, 1], (a) => binary(node.opType!, a[0], a[1]));
    case 'Where':
      return elementwise(at, [0, 1, 2], (a) => (a[0] ? a[1] : a[2]));
    case 'ConstantOfShape': {
      const shape = at.values(0);
      const fill = at.tensorValue() ?? [0];
      if (!shape || shape.length !== 1 || fill.length !== 1 || shape[0] > MAX_VALUES) return undefined;
      return new Array<number>(shape[0]).fill(fill[0]);
    }
    default:
      return undefined;
  }
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case 'Add': return a + b;
    case 'Sub': return a - b;
    case 'Mul': return a * b;
    // integer Div truncates (onnxruntime's int64 Div is C++ division)
    case 'Div': return b === 0 ? Number.NaN : Math.trunc(a / b) + 0;
    case 'Equal': return a === b ? 1 : 0;
    case 'Max': return Math.max(a, b);
    default: return Math.min(a, b);
  }
}

/** Broadcasts 1-D (or scalar) operands of equal length or length 1. */
function elementwise(at: PropagationInputs, inputs: number[], f: (args: number[]) => number): number[] | undefined {
  const lists: number[][] = [];
  for (const i of inputs) {
    const v = at.values(i); // most Adds and Muls are float math: stop at the first unknown input
    if (!v) return undefined;
    lists.push(v);
  }
  const n = Math.max(...lists.map((v) => v.length));
  if (lists.some((v) => v.length !== n && v.length !== 1)) return undefined;
  return Array.from({ length: n }, (_, k) => f(lists.map((v) => v[v.length === 1 ? 0 : k])));
}

function slice(at: PropagationInputs): number[] | undefined {
  const data = at.values(0);
  if (!data || (at.shape(0)?.length ?? 0) !== 1 || at.opset < 10) return undefined;
  const starts = at.values(1);
  const ends = at.values(2);
  const axes = at.values(3) ?? [0];
  const steps = at.values(4) ?? [1];
  if (!starts || !ends || starts.length !== 1 || ends.length !== 1 || axes.length !== 1 || ![0, -1].includes(axes[0])) return undefined;
  const step = steps[0];
  if (step === 0) return undefined;
  const n = data.length;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + n : v));
  const out: number[] = [];
  if (step > 0) {
    for (let i = clamp(starts[0], 0, n); i < clamp(ends[0], 0, n); i += step) out.push(data[i]);
  } else {
    for (let i = clamp(starts[0], 0, n - 1); i > clamp(ends[0], -1, n - 1); i += step) out.push(data[i]);
  }
  return out;
}
