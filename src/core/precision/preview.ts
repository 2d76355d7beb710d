// The numeric error preview (docs/design/engine.md): run the fp32 model and the fp16-simulated model on the same
// inputs with any fp32 runtime and compare them, output by output and value by value. The runtime is a
// callback, so the browser worker (onnxruntime-web, wasm) and the Node tests (onnxruntime-node) share
// every line of this.
import type { PlannedPrecision, PlanReport, Recipe } from '../api';
import { planModel, simulateModelProto, type EngineModel } from '../engine';
import { tensorBytes } from '../external-data';
import { generateInputs } from '../tensor/seeded-inputs';
import type { RunModel } from '../tensor/ort-port';
import { DataType, toNumber } from '../onnx/proto-types';
import { FP16_MAX } from '../tensor/half';
import { lowFormat, type LowPrecision } from '../tensor/low-precision';
import { allStoredTensors } from '../plan/stored-tensors';
import { attributeErrors, attributionNodes, rankNodes, type NodeError } from './attribution';
import { exposedValueName } from '../rewrite/expose-bodies';
import { compareArrays, valueError, type OutputComparison, type ValueError } from './metrics';
import type { HostTensor } from '../tensor/host-tensor';
import type { InputSpec } from './user-inputs';
import { boundDim } from '../tensor/seeded-inputs';
import { unnamedDimKey } from './default-dims';


export interface ReferenceRun {
  /** Float outputs of the fp32 model, the exposed intermediates included when asked for. */
  values: Record<string, Float32Array>;
  /** The model's own float outputs, in order. */
  outputs: string[];
  /** Names of the exposed intermediate values (empty without intermediates). */
  exposed: string[];
  runMillis: number;
}

export interface OverflowSite {
  value: string;
  /** Producing node index. */
  node: number;
  /** Elements beyond +-65504 in the fp32 run. */
  count: number;
  refMaxAbs: number;
  /** The producing node's planned precision: 'low' or 'mixed' means the value becomes inf there (under fp16). */
  precision: PlannedPrecision;
}

export interface WeightOverflow {
  name: string;
  count: number;
  maxAbs: number;
  /** Whether the plan stores it in fp16 (it is then clamped to +-65504). */
  convertedToFp16: boolean;
}

export interface PreviewResult {
  /**
   * The low type the simulation rounded through (the recipe's). Overflow sites and weights below are measured
   * against fp16's range whichever it is: under fp16 they overflow or clamp, under bf16 (float32's range) they
   * do not, which is what the app points out ("bf16 keeps fp32's range").
   */
  lowPrecision: LowPrecision;
  outputs: OutputComparison[];
  /** Per node with a measured float output (empty without intermediates). */
  nodes: NodeError[];
  /** Node indices of the block-list candidates, most added error first. */
  ranking: number[];
  overflow: { values: OverflowSite[]; weights: WeightOverflow[] };
  clampedWeights: number;
  /** Tiny nonzero weights raised to +-2^-24 rather than flushed to 0 (rewrite/fp16.ts). */
  raisedWeights: number;
  simulateMillis: number;
  runMillis: number;
}

export function mainFloatOutputs(model: EngineModel): string[] {
  const types = model.problem.types;
  return model.ir.main.outputs.filter((name) => {
    const t = types.elemType(model.ir.main, name);
    return t === DataType.FLOAT || t === DataType.FLOAT16 || t === DataType.DOUBLE;
  });
}

/**
 * The model's inputs with symbolic dims bound (unbound ones default to 1; a dim with neither size nor name
 * is bound by its `input[axis]` name), and which dims are symbolic.
 */
export function inputSpecs(model: EngineModel, dims: Record<string, number>): InputSpec[] {
  const main = model.ir.main;
  return (main.proto.input ?? [])
    .filter((vi) => !main.initializers.has(vi.name ?? ''))
    .map((vi) => {
      const tensor = vi.type?.tensorType;
      const shape = tensor?.shape?.dim ?? [];
      const name = vi.name ?? '';
      return {
        name,
        elemType: tensor?.elemType ?? DataType.FLOAT,
        dims: shape.map((d, axis) => boundDim(name, axis, d, dims)),
        symbolic: shape.map((d) => !!d.dimParam || !d.dimValue),
      };
    });
}

/** The symbolic dim names of the model's inputs (what the user is asked to set), unnamed ones as `input[axis]`. */
export function symbolicDims(model: EngineModel): string[] {
  const names = new Set<string>();
  for (const vi of model.ir.main.proto.input ?? []) {
    (vi.type?.tensorType?.shape?.dim ?? []).forEach((d, axis) => {
      if (d.dimParam) names.add(d.dimParam);
      else if (!toNumber(d.dimValue)) names.add(unnamedDimKey(vi.name ?? '', axis));
    });
  }
  return [...names];
}

export function seededInputs(model: EngineModel, dims: Record<string, number>, seed: number): HostTensor[] {
  return generateInputs(model.ir, dims, seed);
}

export async function runReference(
  model: EngineModel,
  inputs: readonly HostTensor[],
  run: RunModel,
  options: { intermediates: boolean },
): Promise<ReferenceRun> {
  const reference = simulateModelProto(model, {}, { reference: true, exposeIntermediates: options.intermediates });
  const t0 = performance.now();
  const values = await run(reference.model, inputs);
  return { values, outputs: mainFloatOutputs(model), exposed: reference.exposed, runMillis: performance.now() - t0 };
}

function compareOutputs(reference: ReferenceRun, values: Record<string, Float32Array>): OutputComparison[] {
  return reference.outputs.flatMap((name) => {
    const a = reference.values[name];
    const b = values[name];
    return a && b ? [compareArrays(name, a, b)] : [];
  });
}

/** Output comparisons only: what the block-list search evaluates, without the cost of intermediates. */
export async function evaluateRecipe(
  model: EngineModel,
  recipe: Partial<Recipe>,
  inputs: readonly HostTensor[],
  reference: ReferenceRun,
  run: RunModel,
): Promise<OutputComparison[]> {
  const simulated = simulateModelProto(model, recipe, {});
  return compareOutputs(reference, await run(simulated.model, inputs));
}

/**
 * The simulated model's error against the fp32 reference. The reference may still be running (a promise,
 * with `intermediates` saying whether it exposes them): the simulated model is then built, and sent to
 * `run`, while it runs, and `runMillis` counts from when both could run.
 */
export async function previewRecipe(
  model: EngineModel,
  recipe: Partial<Recipe>,
  inputs: readonly HostTensor[],
  referenceRun: ReferenceRun | { pending: Promise<ReferenceRun>; intermediates: boolean },
  run: RunModel,
  plan: PlanReport = planModel(model, recipe),
): Promise<PreviewResult> {
  const intermediates = 'pending' in referenceRun ? referenceRun.intermediates : referenceRun.exposed.length > 0;
  const low = lowFormat(recipe.lowPrecision);
  const t0 = performance.now();
  const simulated = simulateModelProto(model, recipe, { exposeIntermediates: intermediates });
  let t1 = performance.now();
  const running = run(simulated.model, inputs);
  let reference: ReferenceRun;
  if ('pending' in referenceRun) {
    running.catch(() => undefined); // a failing reference is the error to report
    reference = await referenceRun.pending;
    t1 = Math.max(t1, performance.now());
  } else reference = referenceRun;
  const values = await running;
  const t2 = performance.now();
  const outputs = compareOutputs(reference, values);
  const errors = new Map<string, ValueError>();
  for (const name of [...reference.exposed, ...reference.outputs]) {
    const a = reference.values[name];
    const b = values[name];
    // A value inside an If branch comes out as "<value>::exposed<depth>"; the branch that did not run returns
    // an empty tensor for it.
    if (a && b && a.length && a.length === b.length) errors.set(exposedValueName(name), valueError(a, b));
  }
  const summary = model.summary();
  const nodes = intermediates ? attributeErrors(attributionNodes(model.ir, summary.nodes, (name) => errors.has(name)), plan.nodePrecision, errors, reference.outputs, low.roundingError) : [];
  const overflowValues: OverflowSite[] = [];
  const producer = new Map<string, number>();
  summary.nodes.forEach((node) => node.outputs.forEach((out) => producer.set(out, node.index)));
  for (const [value, e] of errors) {
    if (!e.overflow) continue;
    const node = producer.get(value) ?? -1;
    overflowValues.push({ value, node, count: e.overflow, refMaxAbs: e.refMaxAbs, precision: node >= 0 ? plan.nodePrecision[node] : 'none' });
  }
  overflowValues.sort((a, b) => b.count - a.count);
  return {
    lowPrecision: low.id,
    outputs,
    nodes,
    ranking: rankNodes(nodes).map((n) => n.index),
    overflow: { values: overflowValues, weights: weightOverflow(model, plan) },
    clampedWeights: simulated.clampedValues,
    raisedWeights: simulated.raisedValues,
    simulateMillis: t1 - t0,
    runMillis: t2 - t1,
  };
}

/**
 * Float weights of the main graph (initializers and Constant nodes) with values beyond fp16's range, and
 * whether the plan converts them.
 */
function weightOverflow(model: EngineModel, plan: PlanReport): WeightOverflow[] {
  const main = model.ir.main;
  const found: WeightOverflow[] = [];
  for (const { name, tensor } of allStoredTensors([main])) {
    if (tensor.dataType !== DataType.FLOAT) continue;
    const bytes = tensorBytes(tensor);
    if (!bytes) continue;
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    const data = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
    let count = 0;
    let maxAbs = 0;
    for (let i = 0; i < data.length; i++) {
      const a = Math.abs(data[i]);
      if (a > FP16_MAX && Number.isFinite(a)) {
        count++;
        if (a > maxAbs) maxAbs = a;
      }
    }
    if (!count) continue;
    const consumers = main.consumers.get(name) ?? [];
    const convertedToFp16 = consumers.some((c) => c.node >= 0 && (plan.nodePrecision[c.node] === 'low' || plan.nodePrecision[c.node] === 'mixed'));
    found.push({ name, count, maxAbs, convertedToFp16 });
  }
  return found.sort((a, b) => b.count - a.count);
}
