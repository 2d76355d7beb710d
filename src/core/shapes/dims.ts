// Symbolic tensor shapes the way onnx's shape inference writes them: a dim is a value, a named symbol, or
// unknown. The rules here (broadcast, merge) follow onnx's own so that the value_info Castaway writes
// carries the same equalities that onnx.shape_inference.infer_shapes would have written, which is what
// onnxruntime's graph optimizer matches its fusions on.

/** A number is a dim value, a string a dim_param (symbol), undefined an unknown dim. */
export type Dim = number | string | undefined;
/** undefined: rank unknown. */
export type Shape = Dim[] | undefined;

export class ShapeError extends Error {}

/**
 * onnx's multidirectional broadcast: per aligned position, a value other than 1 wins (two different ones
 * are an error); otherwise one distinct symbol is kept; several distinct symbols (or an unknown next to a
 * symbol) give an unknown dim.
 */
export function broadcastShapes(shapes: readonly Dim[][]): Dim[] {
  // indexed loops, no map/spread/iterator: called for every elementwise node of a graph
  let rank = 0;
  for (let j = 0; j < shapes.length; j++) if (shapes[j].length > rank) rank = shapes[j].length;
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let value = 1;
    let symbolic: Dim | null = null;
    let symbols = 0;
    for (let j = 0; j < shapes.length; j++) {
      const s = shapes[j];
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const d = s[k];
      if (typeof d === 'number') {
        if (d !== 1) {
          if (value !== 1 && value !== d) throw new ShapeError(`cannot broadcast dims ${value} and ${d}`);
          value = d;
        }
      } else if (symbols === 0) {
        symbolic = d;
        symbols = 1;
      } else if ((d ?? '') !== (symbolic ?? '')) {
        symbols++;
      }
    }
    if (value !== 1 || symbols === 0) out.push(value);
    else if (symbols === 1) out.push(symbolic ?? undefined);
    else out.push(undefined);
  }
  return out;
}

/** onnx's mergeInDimensionInfo: a value beats a symbol, a symbol beats unknown; conflicting values throw. */
export function mergeDim(target: Dim, source: Dim): Dim {
  if (typeof source === 'number') {
    if (typeof target === 'number' && target !== source) throw new ShapeError(`dims ${target} and ${source} differ`);
    return source;
  }
  if (typeof target === 'number') return target;
  return target ?? source;
}

/** Product of the dims when all are values, else undefined. */
export function knownProduct(dims: readonly Dim[]): number | undefined {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    p *= d;
  }
  return p;
}

/** Axis in [0, rank) from a possibly negative one; undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}
