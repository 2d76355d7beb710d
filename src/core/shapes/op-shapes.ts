// Output shapes per operator, for the ops of exported transformer and CNN graphs, following the shape
// inference functions of onnx's operator schemas (data propagation off, as in onnx.shape_inference's
// default). An op without a rule gets no shape; nothing is guessed.

import { broadcastShapes, knownProduct, mergeDim, normalizeAxis, ShapeError, type Dim, type Shape } from './dims';

export interface ShapeContext {
  readonly opType: string;
  /** Version of the default-domain opset. */
  readonly opset: number;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Shape of input i; undefined when missing or of unknown rank. */
  input(i: number): Shape;
  /** Whether input i is present (a non-empty name). */
  hasInput(i: number): boolean;
  /** Values of input i when it is a constant integer tensor (an initializer or a Constant's output). */
  constant(i: number): number[] | undefined;
  attrInt(name: string): number | undefined;
  attrInts(name: string): number[] | undefined;
  /** A string attribute (auto_pad, mode). */
  attrString(name: string): string | undefined;
  /** Values of input i when it is a small constant float tensor (Resize and Upsample scales). */
  constantFloats(i: number): number[] | undefined;
  /** Dims of a Constant's tensor value (value, value_float(s), value_int(s)); undefined for others. */
  constantValueDims(): number[] | undefined;
}

const SAME_SHAPE = new Set([
  'Identity', 'Cast', 'CastLike', 'Erf', 'Sqrt', 'Relu', 'Tanh', 'Sigmoid', 'Exp', 'Log', 'Neg', 'Abs',
  'Reciprocal', 'Softmax', 'LogSoftmax', 'Hardmax', 'IsNaN', 'IsInf', 'Not', 'Floor', 'Ceil', 'Round', 'Sign',
  'Gelu', 'Clip', 'LeakyRelu', 'Elu', 'Selu', 'Softplus', 'Softsign', 'HardSigmoid', 'HardSwish', 'Mish',
  'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'CumSum', 'Trilu',
  'ThresholdedRelu', 'Celu', 'Shrink', 'BitwiseNot', 'LpNormalization', 'MeanVarianceNormalization',
  'InstanceNormalization', 'LRN', 'PRelu', 'GroupNormalization', 'ScatterND', 'ScatterElements',
]);

const BROADCAST = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or',
  'Xor', 'Where', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor',
]);

const REDUCE = new Set([
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare',
]);

/** Opset from which a Reduce op takes its axes as an input instead of an attribute. */
function reduceAxesAsInput(opType: string, opset: number): boolean {
  return opType === 'ReduceSum' ? opset >= 13 : opset >= 18;
}

/**
 * Shapes of the node's outputs (undefined entries: not inferred). Throws ShapeError on inconsistent input.
 * An output's shape may be an input's dims array itself: neither is ever mutated.
 */
export function inferOpShapes(ctx: ShapeContext): Shape[] {
  const op = ctx.opType;
  const x = ctx.input(0);
  // the input's own dims, not a copy: shapes are never mutated once inferred, and a value per elementwise
  // node of a 44k-node graph would otherwise hold a copy of its own
  if (SAME_SHAPE.has(op)) return [x];
  if (BROADCAST.has(op)) {
    const shapes: Dim[][] = [];
    for (let i = 0; i < ctx.inputCount; i++) {
      const s = ctx.input(i);
      if (!s) return [undefined];
      shapes.push(s);
    }
    return [broadcastShapes(shapes)];
  }
  if (REDUCE.has(op)) return [reduceShape(ctx, x)];
  switch (op) {
    // the ops of exported transformer graphs first: a switch on strings compares the cases in order
    case 'Unsqueeze':
      return [unsqueezeShape(ctx, x)];
    case 'Squeeze':
      return [squeezeShape(ctx, x)];
    case 'Concat':
      return [concatShape(ctx)];
    case 'Reshape':
      return [reshapeShape(ctx, x)];
    case 'Shape': {
      if (!x) return [undefined];
      const r = x.length;
      const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
      const start = ctx.opset >= 15 ? clamp(ctx.attrInt('start') ?? 0) : 0;
      const end = ctx.opset >= 15 ? clamp(ctx.attrInt('end') ?? r) : r;
      return [[Math.max(0, end - start)]];
    }
    case 'Gather': {
      const idx = ctx.input(1);
      if (!x || !idx) return [undefined];
      const axis = normalizeAxis(ctx.attrInt('axis') ?? 0, x.length);
      if (axis === undefined) throw new ShapeError('Gather axis out of range');
      // x[:axis] + idx + x[axis+1:], by index (no slices and spreads: ~3k Gathers per large transformer)
      const out: Dim[] = [];
      for (let i = 0; i < axis; i++) out.push(x[i]);
      for (let i = 0; i < idx.length; i++) out.push(idx[i]);
      for (let i = axis + 1; i < x.length; i++) out.push(x[i]);
      return [out];
    }
    case 'Slice':
      return [sliceShape(ctx, x)];
    case 'MatMul':
      return [matmulShape(ctx.input(0), ctx.input(1))];
    case 'Gemm': {
      const a = ctx.input(0);
      const b = ctx.input(1);
      if (!a || !b || a.length !== 2 || b.length !== 2) return [undefined];
      const m = ctx.attrInt('transA') ? a[1] : a[0];
      const n = ctx.attrInt('transB') ? b[0] : b[1];
      return [[m, n]];
    }
    case 'Transpose': {
      if (!x) return [undefined];
      const perm = ctx.attrInts('perm') ?? x.map((_, i) => x.length - 1 - i);
      if (perm.length !== x.length) throw new ShapeError('Transpose perm does not match the rank');
      return [perm.map((p) => x[p])];
    }
    case 'Dropout':
      return [x && [...x], x && [...x]];
    case 'BatchNormalization': {
      // training_mode's extra outputs (running mean and variance) are per channel
      const channel = x && x.length > 1 ? [x[1]] : undefined;
      return [x && [...x], channel, channel && [...channel]];
    }
    case 'Conv':
    case 'ConvInteger':
      return [convPoolShape(ctx, x, 'conv')];
    case 'MaxPool': {
      const out = convPoolShape(ctx, x, 'pool');
      return [out, out && [...out]];
    }
    case 'AveragePool':
    case 'LpPool':
      return [convPoolShape(ctx, x, 'pool')];
    case 'ConvTranspose':
      return [convTransposeShape(ctx, x)];
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      if (!x) return [undefined];
      if (x.length < 2) throw new ShapeError(`${op} needs a rank of at least 2`);
      return [[x[0], x[1], ...x.slice(2).map(() => 1)]];
    case 'Resize':
    case 'Upsample':
      return [resizeShape(ctx, x)];
    case 'Pad':
      return [padShape(ctx, x)];
    case 'Tile': {
      if (!x) return [undefined];
      const repeats = ctx.constant(1);
      if (!repeats) return [x.map(() => undefined)];
      if (repeats.length !== x.length) throw new ShapeError('Tile repeats do not match the rank');
      return [x.map((d, i) => (typeof d === 'number' ? d * repeats[i] : repeats[i] === 1 ? d : undefined))];
    }
    case 'Split':
      return splitShapes(ctx, x);
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      if (!x) return [undefined];
      if (x.length !== 4) throw new ShapeError(`${op} needs rank 4`);
      const b = ctx.attrInt('blocksize') ?? 0;
      if (b <= 0) throw new ShapeError(`${op} blocksize must be positive`);
      const mul = (d: Dim, f: number) => (typeof d === 'number' ? d * f : undefined);
      const div = (d: Dim, f: number) => (typeof d === 'number' ? d / f : undefined);
      return op === 'DepthToSpace'
        ? [[x[0], div(x[1], b * b), mul(x[2], b), mul(x[3], b)]]
        : [[x[0], mul(x[1], b * b), div(x[2], b), div(x[3], b)]];
    }
    case 'LayerNormalization': {
      if (!x) return [undefined];
      const axis = normalizeAxis(ctx.attrInt('axis') ?? -1, x.length);
      const stat = axis === undefined ? undefined : x.map((d, i) => (i < axis ? d : 1));
      return [[...x], stat, stat && [...stat]];
    }
    case 'GatherND': {
      // onnx: indices[:-1] + data[batch_dims + indices[-1]:], when the index length is known
      const idx = ctx.input(1);
      if (!x || !idx || idx.length === 0) return [undefined];
      const last = idx[idx.length - 1];
      if (typeof last !== 'number') return [undefined];
      const b = ctx.attrInt('batch_dims') ?? 0;
      if (b + last > x.length) throw new ShapeError('GatherND indices longer than the data rank');
      return [[...idx.slice(0, -1), ...x.slice(b + last)]];
    }
    case 'GatherElements':
      return [ctx.input(1) && [...ctx.input(1)!]];
    case 'Size':
      return [[]];
    case 'Constant':
      return [ctx.constantValueDims()];
    case 'ConstantOfShape': {
      const c = ctx.constant(0);
      if (c) return [c];
      return [rankFromShapeInput(ctx.input(0))];
    }
    case 'Range': {
      const [start, limit, delta] = [ctx.constant(0), ctx.constant(1), ctx.constant(2)];
      if (start?.length === 1 && limit?.length === 1 && delta?.length === 1 && delta[0] !== 0) {
        return [[Math.max(0, Math.ceil((limit[0] - start[0]) / delta[0]))]];
      }
      return [[undefined]];
    }
    case 'Expand': {
      if (!x) return [undefined];
      const c = ctx.constant(1);
      if (c) return [broadcastShapes([x, c])];
      const target = rankFromShapeInput(ctx.input(1));
      return [target && broadcastShapes([x, target])];
    }
    case 'Flatten': {
      if (!x) return [undefined];
      let axis = ctx.attrInt('axis') ?? 1;
      if (axis < 0) axis += x.length;
      if (axis < 0 || axis > x.length) throw new ShapeError('Flatten axis out of range');
      return [[knownProduct(x.slice(0, axis)), knownProduct(x.slice(axis))]];
    }
    case 'ArgMax':
    case 'ArgMin': {
      if (!x) return [undefined];
      const axis = normalizeAxis(ctx.attrInt('axis') ?? 0, x.length);
      if (axis === undefined) return [undefined];
      const keep = (ctx.attrInt('keepdims') ?? 1) !== 0;
      return [keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis)];
    }
    default:
      return [];
  }
}

/** Tensors of higher rank are not taken at face value (a corrupt shape input must not allocate gigabytes). */
const MAX_RANK = 1024;

/**
 * For an op whose shape argument is computed at run time (Reshape, Expand, ConstantOfShape): the output
 * rank is the argument's known length, every dim unknown, as onnx infers it.
 */
function rankFromShapeInput(shapeOfShape: Shape): Dim[] | undefined {
  if (!shapeOfShape || shapeOfShape.length !== 1) return undefined;
  const rank = shapeOfShape[0];
  return typeof rank === 'number' && rank <= MAX_RANK ? new Array<Dim>(rank).fill(undefined) : undefined;
}

function matmulShape(a: Shape, b: Shape): Shape {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const l = a.length === 1 ? [1, a[0]] : a;
  const r = b.length === 1 ? [b[0], 1] : b;
  const kl = l[l.length - 1];
  const kr = r[r.length - 2];
  if (typeof kl === 'number' && typeof kr === 'number' && kl !== kr) throw new ShapeError(`MatMul inner dims ${kl} and ${kr} differ`);
  const out = broadcastShapes([l.slice(0, -2), r.slice(0, -2)]);
  if (a.length !== 1) out.push(l[l.length - 2]);
  if (b.length !== 1) out.push(r[r.length - 1]);
  return out;
}

function reduceShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  const keep = (ctx.attrInt('keepdims') ?? 1) !== 0;
  let axes: number[] | undefined;
  if (reduceAxesAsInput(ctx.opType, ctx.opset)) {
    if (ctx.hasInput(1)) {
      axes = ctx.constant(1);
      if (!axes) return keep ? x.map(() => undefined) : undefined;
    }
  } else {
    axes = ctx.attrInts('axes');
  }
  if (!axes || axes.length === 0) {
    if (ctx.attrInt('noop_with_empty_axes')) return [...x];
    return keep ? x.map(() => 1) : [];
  }
  const set = new Set(axes.map((a) => normalizeAxis(a, x.length)));
  if (set.has(undefined)) throw new ShapeError(`${ctx.opType} axis out of range`);
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

function unsqueezeShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  const axes = ctx.opset >= 13 ? ctx.constant(1) : ctx.attrInts('axes');
  if (!axes) return undefined;
  const rank = x.length + axes.length;
  // positions flagged in a plain array, not a Set per node (Unsqueeze is a transformer graph's most common
  // shape op after Constant)
  const at: boolean[] = new Array<boolean>(rank).fill(false);
  for (let j = 0; j < axes.length; j++) {
    const axis = normalizeAxis(axes[j], rank);
    if (axis === undefined || at[axis]) throw new ShapeError('Unsqueeze axes are out of range or repeated');
    at[axis] = true;
  }
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at[i] ? 1 : x[k++]);
  return out;
}

function squeezeShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  const axes = ctx.opset >= 13 ? (ctx.hasInput(1) ? ctx.constant(1) : []) : (ctx.attrInts('axes') ?? []);
  if (!axes) return undefined;
  if (axes.length === 0) {
    if (x.some((d) => typeof d !== 'number')) return undefined;
    return x.filter((d) => d !== 1);
  }
  const set = new Set(axes.map((a) => normalizeAxis(a, x.length)));
  if (set.has(undefined)) throw new ShapeError('Squeeze axis out of range');
  return x.filter((_, i) => !set.has(i));
}

function concatShape(ctx: ShapeContext): Shape {
  // onnx 1.23 passes a single input's shape through whole (its axis dim included, even when symbolic)
  if (ctx.inputCount === 1) return ctx.input(0) && [...ctx.input(0)!];
  const shapes: Dim[][] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const s = ctx.input(i);
    if (s) shapes.push(s);
  }
  if (shapes.length === 0) return undefined;
  const rank = shapes[0].length;
  const axis = normalizeAxis(ctx.attrInt('axis') ?? 0, rank);
  if (axis === undefined) throw new ShapeError('Concat axis out of range');
  const out: Dim[] = new Array<Dim>(rank).fill(undefined);
  let total = 0;
  let allKnown = true;
  for (let j = 0; j < shapes.length; j++) {
    const s = shapes[j];
    if (s.length !== rank) throw new ShapeError('Concat inputs differ in rank');
    for (let i = 0; i < rank; i++) {
      const d = s[i];
      if (i === axis) {
        if (typeof d === 'number') total += d;
        else allKnown = false;
      } else {
        out[i] = mergeDim(out[i], d);
      }
    }
  }
  // every input must have a shape for the axis length to be known
  out[axis] = allKnown && shapes.length === ctx.inputCount ? total : undefined;
  return out;
}

function reshapeShape(ctx: ShapeContext, x: Shape): Shape {
  const target = ctx.constant(1);
  if (!target) {
    return rankFromShapeInput(ctx.input(1));
  }
  const allowZero = ctx.opset >= 14 && (ctx.attrInt('allowzero') ?? 0) !== 0;
  const out: Dim[] = [];
  let minusOne = -1;
  let product = 1;
  let productKnown = true;
  target.forEach((t, i) => {
    if (t === -1) {
      if (minusOne >= 0) throw new ShapeError('Reshape target has more than one -1');
      minusOne = i;
      out.push(undefined);
    } else if (t === 0 && !allowZero) {
      if (!x) {
        out.push(undefined);
        productKnown = false;
      } else if (i < x.length) {
        out.push(x[i]);
        if (typeof x[i] === 'number') product *= x[i] as number;
        else productKnown = false;
      } else {
        throw new ShapeError('Reshape copies a dim the input does not have');
      }
    } else {
      out.push(t);
      product *= t;
    }
  });
  if (minusOne >= 0 && productKnown && x) {
    const total = knownProduct(x);
    if (total !== undefined && product !== 0) out[minusOne] = total / product;
  }
  return out;
}

function sliceShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset >= 10) {
    starts = ctx.constant(1);
    ends = ctx.constant(2);
    axes = ctx.hasInput(3) ? ctx.constant(3) : undefined;
    steps = ctx.hasInput(4) ? ctx.constant(4) : undefined;
    if (!starts || !ends || (ctx.hasInput(3) && !axes) || (ctx.hasInput(4) && !steps)) return x.map(() => undefined);
  } else {
    starts = ctx.attrInts('starts');
    ends = ctx.attrInts('ends');
    axes = ctx.attrInts('axes');
    if (!starts || !ends) return x.map(() => undefined);
  }
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  const out: Dim[] = [...x];
  axes.forEach((a, k) => {
    const axis = normalizeAxis(a, x.length);
    if (axis === undefined) throw new ShapeError('Slice axis out of range');
    const d = x[axis];
    if (typeof d !== 'number') {
      out[axis] = undefined;
      return;
    }
    const step = steps![k];
    if (step === 0) throw new ShapeError('Slice step is 0');
    let s = starts![k];
    let e = ends![k];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
      out[axis] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      // onnx: with a negative step, start is clamped to [0, d-1] and end to [-1, d-1]
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      out[axis] = Math.max(0, Math.ceil((e - s) / step));
    }
  });
  return out;
}

/**
 * onnx's convPoolShapeInference: [N, C or M, spatial...], where a spatial dim is known only when the input's
 * is: 1 + (in + pad_begin + pad_end - ((k - 1) * dilation + 1)) / stride, floored (ceiled for a pool with
 * ceil_mode). auto_pad SAME_* computes the pads onnx would (total = effective kernel - residual).
 */
function convPoolShape(ctx: ShapeContext, x: Shape, kind: 'conv' | 'pool'): Shape {
  if (!x) return undefined;
  if (x.length < 2) throw new ShapeError(`${ctx.opType} needs a rank of at least 2`);
  const spatial = x.length - 2;
  const w = kind === 'conv' ? ctx.input(1) : undefined;
  let kernel = ctx.attrInts('kernel_shape');
  if (!kernel) {
    if (kind === 'pool') throw new ShapeError(`${ctx.opType} needs kernel_shape`);
    if (!w) return undefined;
    if (w.length !== x.length) throw new ShapeError('Conv weight rank differs from the input rank');
    if (w.slice(2).some((d) => typeof d !== 'number')) return undefined;
    kernel = w.slice(2) as number[];
  }
  if (kernel.length !== spatial) throw new ShapeError(`${ctx.opType} kernel_shape does not match the rank`);
  const strides = ctx.attrInts('strides') ?? kernel.map(() => 1);
  const dilations = ctx.attrInts('dilations') ?? kernel.map(() => 1);
  if (strides.length !== spatial || dilations.length !== spatial) throw new ShapeError(`${ctx.opType} strides or dilations do not match the rank`);
  const autoPad = ctx.attrString('auto_pad') ?? 'NOTSET';
  let pads = ctx.attrInts('pads') ?? kernel.flatMap(() => [0, 0]);
  if (pads.length !== 2 * spatial) throw new ShapeError(`${ctx.opType} pads do not match the rank`);
  const effective = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  const ceil = kind === 'pool' && (ctx.attrInt('ceil_mode') ?? 0) !== 0;
  const out: Dim[] = [x[0], kind === 'conv' ? w?.[0] : x[1]];
  for (let i = 0; i < spatial; i++) {
    const d = x[2 + i];
    if (typeof d !== 'number') {
      out.push(undefined);
      continue;
    }
    let begin = pads[i];
    let end = pads[i + spatial];
    if (autoPad === 'VALID') {
      begin = 0;
      end = 0;
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const residual = d % strides[i];
      const total = Math.max(0, residual === 0 ? effective[i] - strides[i] : effective[i] - residual);
      const half = Math.floor(total / 2);
      [begin, end] = autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
    }
    const span = d + begin + end - effective[i];
    const positions = ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i]);
    out.push(1 + positions);
  }
  return out;
}

/**
 * onnx's convTransposeShapeInference: [N, W[1] * group, spatial...]; output_shape when given, else
 * stride * (in - 1) + output_padding + effective kernel - pads (SAME_*: in * stride).
 */
function convTransposeShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  if (x.length < 2) throw new ShapeError('ConvTranspose needs a rank of at least 2');
  const spatial = x.length - 2;
  const w = ctx.input(1);
  const group = ctx.attrInt('group') ?? 1;
  const channels = typeof w?.[1] === 'number' ? (w[1] as number) * group : undefined;
  let kernel = ctx.attrInts('kernel_shape');
  if (!kernel) {
    if (!w || w.slice(2).some((d) => typeof d !== 'number')) return undefined;
    kernel = w.slice(2) as number[];
  }
  if (kernel.length !== spatial) throw new ShapeError('ConvTranspose kernel_shape does not match the rank');
  const strides = ctx.attrInts('strides') ?? kernel.map(() => 1);
  const dilations = ctx.attrInts('dilations') ?? kernel.map(() => 1);
  const outputPadding = ctx.attrInts('output_padding') ?? kernel.map(() => 0);
  const pads = ctx.attrInts('pads') ?? kernel.flatMap(() => [0, 0]);
  const outputShape = ctx.attrInts('output_shape');
  const autoPad = ctx.attrString('auto_pad') ?? 'NOTSET';
  const out: Dim[] = [x[0], channels];
  for (let i = 0; i < spatial; i++) {
    if (outputShape) {
      out.push(outputShape[outputShape.length - spatial + i]);
      continue;
    }
    const d = x[2 + i];
    if (typeof d !== 'number') {
      out.push(undefined);
      continue;
    }
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(d * strides[i]);
    else out.push(strides[i] * (d - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + spatial]);
  }
  return out;
}

/**
 * Resize (and Upsample) with constant sizes or scales: sizes as given, or floor(in * scale) per dim; with
 * anything computed at run time, the rank only. opset 18's axes select which dims the scales/sizes cover.
 */
function resizeShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  const legacy = ctx.opType === 'Upsample' || ctx.opset < 11;
  const scalesAt = legacy ? 1 : 2;
  const sizes = !legacy && ctx.hasInput(3) ? ctx.constant(3) : undefined;
  const scales = ctx.hasInput(scalesAt) ? ctx.constantFloats(scalesAt) : undefined;
  const axes = ctx.attrInts('axes')?.map((a) => normalizeAxis(a, x.length));
  if (axes?.includes(undefined)) throw new ShapeError('Resize axis out of range');
  const at = (axes as number[] | undefined) ?? x.map((_, i) => i);
  const out: Dim[] = [...x];
  if (sizes && sizes.length > 0) {
    if (sizes.length !== at.length) throw new ShapeError('Resize sizes do not match the rank');
    at.forEach((axis, k) => (out[axis] = sizes[k]));
    return out;
  }
  if (scales && scales.length > 0) {
    if (scales.length !== at.length) throw new ShapeError('Resize scales do not match the rank');
    at.forEach((axis, k) => {
      const d = x[axis];
      out[axis] = typeof d === 'number' ? Math.floor(d * scales[k]) : undefined;
    });
    return out;
  }
  return x.map(() => undefined);
}

/** Pad with constant pads: in + begin + end per dim (a symbolic dim kept when both are 0); else rank only. */
function padShape(ctx: ShapeContext, x: Shape): Shape {
  if (!x) return undefined;
  const pads = ctx.opset >= 11 ? ctx.constant(1) : ctx.attrInts('pads');
  if (!pads) return x.map(() => undefined);
  let axes = x.map((_, i) => i);
  if (ctx.opset >= 18 && ctx.hasInput(3)) {
    const given = ctx.constant(3);
    if (!given) return x.map(() => undefined);
    const normalized = given.map((a) => normalizeAxis(a, x.length));
    if (normalized.includes(undefined)) throw new ShapeError('Pad axis out of range');
    axes = normalized as number[];
  }
  if (pads.length !== 2 * axes.length) throw new ShapeError('Pad pads do not match the rank');
  const out: Dim[] = [...x];
  axes.forEach((axis, k) => {
    const d = x[axis];
    const added = pads[k] + pads[k + axes.length];
    out[axis] = typeof d === 'number' ? d + added : added === 0 ? d : undefined;
  });
  return out;
}

/** Split: the split input (13+) or attribute, else equal parts (num_outputs from 18); one shape per output. */
function splitShapes(ctx: ShapeContext, x: Shape): Shape[] {
  const n = ctx.outputCount;
  if (!x) return new Array<Shape>(n).fill(undefined);
  const axis = normalizeAxis(ctx.attrInt('axis') ?? 0, x.length);
  if (axis === undefined) throw new ShapeError('Split axis out of range');
  let split: number[] | undefined;
  if (ctx.opset >= 13) {
    if (ctx.hasInput(1)) {
      split = ctx.constant(1);
      // sizes computed at run time: onnx gives the outputs no shape at all
      if (!split) return new Array<Shape>(n).fill(undefined);
    }
  } else {
    split = ctx.attrInts('split');
  }
  const d = x[axis];
  if (!split) {
    if (typeof d !== 'number') return new Array<Shape>(n).fill(undefined).map(() => x.map((v, i) => (i === axis ? undefined : v)));
    const parts = ctx.opset >= 18 ? ctx.attrInt('num_outputs') ?? n : n;
    const chunk = Math.ceil(d / parts);
    split = Array.from({ length: n }, (_, k) => (ctx.opset >= 18 ? Math.min(chunk, Math.max(0, d - k * chunk)) : d / n));
  }
  if (split.length !== n) throw new ShapeError('Split sizes do not match the outputs');
  if (typeof d === 'number' && split.reduce((a, b) => a + b, 0) !== d) throw new ShapeError('Split sizes do not sum to the dim');
  return split.map((len) => x.map((v, i) => (i === axis ? len : v)));
}
