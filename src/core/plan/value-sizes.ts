// Element counts of values for the bytes objective. A declared dim that the recipe's dims bind is taken
// as is; otherwise (no value_info, or a dim_param that --dims does not name, such as the computed names
// torch's exporter writes on graph outputs) the size is what shape inference gives once the graph inputs'
// dims are bound, following the shape arguments the graph computes (shapes/data-propagation.ts). A dim
// neither can size counts as 1, and its name is reported (unboundDims), so a user knows to pass --dims.
import type { IrGraph } from '../ir';
import { inferGraphShapes, type ShapesByName } from '../shapes/infer-shapes';
import type { Dim } from '../shapes/dims';
import type { PlanningProblem } from './constraints';
import type { UnboundDim } from '../api';

export type { UnboundDim };

/** The size the bytes objective assumes for a symbolic dim nothing binds. */
const UNBOUND_DIM_SIZE = 1;

export interface ValueSizes {
  /** Elements of a value (declared and bound dims first, then inferred ones, unbound dims as 1). */
  count(graph: IrGraph, name: string): number;
  /** Declared symbolic dims of the values counted so far that stayed unbound: graph input dims first, then by name. */
  unbound(): UnboundDim[];
}

/**
 * The main graph's shapes under bound dims, per problem, for the last few dims asked: a re-plan after a
 * toggle keeps its dims, so it reuses the pass (a min-cut re-plan stays milliseconds).
 */
const inferredCache = new WeakMap<PlanningProblem, Map<string, ShapesByName>>();
const CACHED_DIMS = 4;

function boundShapes(problem: PlanningProblem, dims: Readonly<Record<string, number>>): ShapesByName {
  let byDims = inferredCache.get(problem);
  if (!byDims) inferredCache.set(problem, (byDims = new Map()));
  const key = JSON.stringify(Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let shapes = byDims.get(key);
  if (!shapes) {
    shapes = inferGraphShapes(problem.model.main.proto, problem.model.opsets, undefined, { bind: dims }).shapes;
    if (byDims.size >= CACHED_DIMS) byDims.delete(byDims.keys().next().value!);
    byDims.set(key, shapes);
  }
  return shapes;
}

/** Sizes under one set of dims; the main graph's bound inference runs on first need. */
export function valueSizes(problem: PlanningProblem, dims: Readonly<Record<string, number>>): ValueSizes {
  let inferred: ShapesByName | undefined;
  const main = problem.model.main;
  const inferredShape = (graph: IrGraph, name: string): Dim[] | undefined => {
    if (graph !== main) return undefined; // bodies of If/Loop/Scan are not inferred
    inferred ??= boundShapes(problem, dims);
    return inferred.get(name);
  };
  const unbound = new Set<string>();
  return {
    count(graph, name) {
      const declared = problem.valueShape(graph, name);
      const bound = (d: number | string | undefined) => (typeof d === 'number' ? Math.max(d, 1) : d !== undefined ? dims[d] : undefined);
      if (declared && declared.every((d) => bound(d) !== undefined)) return declared.reduce<number>((n, d) => n * bound(d)!, 1);
      const shape = inferredShape(graph, name);
      const dimsOf: Dim[] | undefined = shape && (!declared || declared.length === shape.length) ? shape : declared;
      if (!dimsOf) return 1;
      let count = 1;
      dimsOf.forEach((d, k) => {
        const size = bound(d) ?? bound(declared?.[k]);
        if (size !== undefined) count *= size;
        else {
          const symbol = declared?.[k];
          if (typeof symbol === 'string' && symbol !== '?') unbound.add(symbol);
          count *= UNBOUND_DIM_SIZE;
        }
      });
      return count;
    },
    unbound: () => {
      const inputDims = new Set<string>();
      for (const vi of main.proto.input ?? []) for (const d of vi.type?.tensorType?.shape?.dim ?? []) if (d.dimParam) inputDims.add(d.dimParam);
      const rank = (n: string) => (inputDims.has(n) ? 0 : 1);
      return [...unbound].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).map((name) => ({ name, assumed: UNBOUND_DIM_SIZE }));
    },
  };
}

/**
 * One line for the CLI and the app: which dims the bytes objective had to guess, the size it took, and the
 * flag that fixes it; undefined when none.
 */
export function unboundDimsText(unbound: readonly UnboundDim[]): string | undefined {
  if (!unbound.length) return undefined;
  // Graph input dims first: they are the ones a user can name; computed names (torch's `Squeeze175_dim_0`
  // inside a Loop body) can run to dozens, so the line names the first few.
  const names = unbound.map((d) => d.name);
  const shown = names.slice(0, SHOWN_NAMES);
  const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : '';
  const sizes = [...new Set(unbound.map((d) => d.assumed))].join(' or ');
  return `bytes objective: symbolic dim${names.length > 1 ? 's' : ''} ${shown.join(', ')}${more} not bound by dims nor sized by shape inference, ` +
    `assumed ${sizes} (pass --dims ${shown.map((n) => `${n}=SIZE`).join(',')})`;
}

const SHOWN_NAMES = 6;
