// The engine facade: what the model worker, the CLI and the companion call. Everything the pipeline
// computes once per model (decode, IR, types, the planning problem and its flow network) lives in an
// EngineModel; planModel is then only a max-flow run plus the report, so it can follow every click.
import { DEFAULT_RECIPE, type ConvertResult, type ModelSummary, type NodeSummary, type OpTypeStat, type PlanReport, type Recipe, type TargetEp, type TouchedTensor, type ValueSummary } from './api';
import { EXTERNAL, resolveExternalData, tensorBytes, visitTensors, writeExternalData } from './external-data';
import { buildIr, normalizeDomain, type IrGraph, type IrModel } from './ir';
import { DataType, toNumber, type ModelProto, type NodeProto } from './onnx/proto-types';
import { withInferredValueInfoEncoded } from './shapes/value-info';
import { buildPlanningProblem, shapeOf, type PlanningProblem } from './plan/constraints';
import { Planner, type PlanOutcome } from './plan/planner';
import { buildPlanReport } from './plan/report';
import { allStoredTensors, constantNodeTensor, fp16Loss, storedByteLength, storedTensor } from './plan/stored-tensors';
import { createTypeOracle } from './plan/type-oracle';
import { normalizeRecipe, TARGET_EPS } from './recipe';
import { OrtReferenceCounter } from './reference/ort-cast-count';
import { applyPlan, countRemovableCasts } from './rewrite/apply-plan';
import { simulatePlan } from './rewrite/simulate';
import type { Fp16Converter, Fp16Stats } from './rewrite/fp16';
import { isFloatData, nodeReads, readersAcrossScopes, summarizeBodies } from './summary-bodies';
import { flatIndex, flatNodes } from './flat-nodes';
import { decodeModel, encodeModel, encodeModelPieces } from './serde';
import { hasLowKernel } from './types/ep-kernels';
import { lowFormat, type LowPrecision } from './tensor/low-precision';


export class EngineModel {
  readonly proto: ModelProto;
  readonly ir: IrModel;
  readonly problem: PlanningProblem;
  readonly planner: Planner;
  readonly ortCounter: OrtReferenceCounter;
  /** Per stored tensor key, its fp16 conversion statistics, computed on first need. */
  readonly clampCache = new Map<string, Fp16Stats>();
  private summaryCache?: ModelSummary;

  constructor(proto: ModelProto) {
    this.proto = proto;
    this.ir = buildIr(proto);
    const types = createTypeOracle(this.ir);
    this.problem = buildPlanningProblem(this.ir, types);
    this.planner = new Planner(this.problem);
    this.ortCounter = new OrtReferenceCounter(this.ir, types);
  }

  summary(): ModelSummary {
    return (this.summaryCache ??= summarize(this));
  }
}

/**
 * Decodes and indexes a model; throws CastawayError on anything the engine cannot handle safely. A model
 * already decoded (by a caller that had to read it first, e.g. for its external-data locations) is taken
 * as is: a model is decoded once per process.
 */
export function openModel(source: Uint8Array | ModelProto, externalFiles?: Map<string, Uint8Array>): EngineModel {
  // a model decoded here is the engine's alone, and the engine copies what it changes: its nodes may keep their bytes
  const decoded = source instanceof Uint8Array ? decodeModel(source, { keepNodeBytes: true }) : source;
  const proto = resolveExternalData(decoded, externalFiles ?? new Map());
  return new EngineModel(proto);
}

export function summarizeModel(model: EngineModel): ModelSummary {
  return model.summary();
}

function kernels(ep: TargetEp, domain: string, opType: string, opset: number, low: LowPrecision = 'fp16'): boolean {
  return ep === 'any' || hasLowKernel(ep, low, domain, opType, opset);
}

function runPlan(model: EngineModel, recipe: Recipe): { outcome: PlanOutcome; millis: number } {
  const start = performance.now();
  const outcome = model.planner.plan(recipe, kernels);
  return { outcome, millis: performance.now() - start };
}

export function planModel(model: EngineModel, recipeInput: Partial<Recipe> = {}): PlanReport {
  const recipe = normalizeRecipe({ ...DEFAULT_RECIPE, ...recipeInput });
  const { outcome, millis } = runPlan(model, recipe);
  const clamp = clampStats(model, outcome);
  return buildPlanReport(model.problem, outcome, recipe, {
    existingCasts: model.ortCounter.existingCasts,
    removedCasts: countRemovableCasts(model.problem, outcome),
    ortReferenceCasts: model.ortCounter.count(recipe),
    clamped: clamp.clamped,
    raised: clamp.raised,
    touched: clamp.touched,
    planMillis: millis,
  });
}

export interface ConvertOptions {
  /**
   * Write weights to an external data file of this name (next to the model): always when given with
   * `external: 'always'`, else only when the model had external data or would not fit protobuf's 2 GB.
   */
  externalDataFile?: string;
  external?: 'auto' | 'always';
  /**
   * Write value_info with onnx-style shape inference (default true): onnxruntime matches several fusions
   * on the symbolic dims it carries, so without it the same graph can run more kernels (shapes/).
   */
  valueInfo?: boolean;
  /**
   * Return the model as `pieces` (its large byte fields, the converted weights, by reference) and leave
   * `bytes` empty, and likewise each external data file as `externalPieces` (its `externalFiles` entry empty): a file writer then copies a 1 GB model's weights once, not twice (serde encodeModelPieces).
   */
  pieces?: boolean;
  /**
   * Converts stored float32 bytes to fp16 in place of the codec (same bytes and counts): the CLI's splits a
   * large tensor over worker threads. The engine itself stays single-threaded and synchronous.
   */
  fp16Converter?: Fp16Converter;
}

/** Protobuf cannot encode a message over 2 GiB; leave room for the graph itself. */
const INLINE_LIMIT_BYTES = 1.8 * 2 ** 30;

export function convertModel(model: EngineModel, recipeInput: Partial<Recipe> = {}, options: ConvertOptions = {}): ConvertResult {
  const recipe = normalizeRecipe({ ...DEFAULT_RECIPE, ...recipeInput });
  const { outcome, millis } = runPlan(model, recipe);
  const result = applyPlan(model.problem, outcome, options.fp16Converter);
  // applyPlan keeps the IR's topological order, inserting each Cast after its producer, writes each value
  // once (fresh names for what it adds) and knows every value's element type (rewrite/apply-plan.ts). Most of
  // its main graph's values keep the IR's names and most of its nodes are the IR's own objects, so the
  // value_info pass keys shapes by the IR's value ids and reads those nodes' slot ids from the IR
  // (mainNodeSource says which rewritten node is which IR node) instead of looking each name up again.
  const main = model.ir.main;
  const slots = { source: result.mainNodeSource, nodes: main.nodes, inputIds: main.inputIds, inputStart: main.inputStart, outputIds: main.outputIds, outputStart: main.outputStart };
  let converted = options.valueInfo === false
    ? result.model
    : withInferredValueInfoEncoded(result.model, { sorted: true, elemType: result.mainElemType, uniqueOutputs: true, valueIds: { ids: main.valueId, count: main.valueNames.length, slots } });
  const externalFiles: Record<string, Uint8Array> = {};
  const externalPieces: Record<string, Uint8Array[]> = {};
  const dataName = options.externalDataFile ?? 'model.onnx.data';
  if (options.external === 'always' || needsExternalData(converted, result.stats.fromExternal ?? 0)) {
    const written = writeExternalData(converted, dataName, undefined, { pieces: options.pieces });
    converted = written.model;
    externalFiles[dataName] = written.data;
    if (written.pieces) externalPieces[dataName] = written.pieces;
  }
  const pieces = options.pieces ? encodeModelPieces(converted) : undefined;
  const bytes = pieces ? new Uint8Array(0) : encodeModel(converted);
  const report = buildPlanReport(model.problem, outcome, recipe, {
    existingCasts: model.ortCounter.existingCasts,
    removedCasts: result.removedCasts,
    ortReferenceCasts: model.ortCounter.count(recipe),
    clamped: result.stats.clamped,
    raised: result.stats.raised,
    touched: result.stats.touched,
    planMillis: millis,
  });
  return pieces ? { bytes, pieces, externalFiles, externalPieces, report } : { bytes, externalFiles, report };
}

/** Clamped/raised counts of the stored tensors (initializers and Constants) the plan converts; each tensor is scanned once per model. */
function clampStats(model: EngineModel, outcome: PlanOutcome): { clamped: number; raised: number; touched: TouchedTensor[] } {
  const seen = new Set<string>();
  const total = { clamped: 0, raised: 0, touched: [] as TouchedTensor[] };
  // bf16 has float32's range and reaches below its smallest normal: its conversion clamps and raises nothing.
  if (!lowFormat(outcome.low).clamps) return total;
  for (const read of model.problem.storedReads) {
    if (!outcome.groupFp16[read.group]) continue;
    const key = `${read.ownerGraph.id}:${read.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const stats = storedLoss(model, read.ownerGraph, read.name);
    total.clamped += stats.clamped;
    total.raised += stats.raised;
    if (stats.clamped || stats.raised) total.touched.push({ name: read.name, clamped: stats.clamped, raised: stats.raised });
  }
  return total;
}

/** fp16 storage loss of one stored tensor (initializer or Constant node), scanned once per model. */
function storedLoss(model: EngineModel, owner: IrGraph, name: string): Fp16Stats {
  const key = `${owner.id}:${name}`;
  let stats = model.clampCache.get(key);
  if (!stats) {
    const tensor = storedTensor(owner, name);
    stats = tensor ? fp16Loss(tensor) : { clamped: 0, raised: 0 };
    model.clampCache.set(key, stats);
  }
  return stats;
}

/**
 * Per node (flat index: main graph first, then bodies), the values of the float32 weights it reads that fp16 cannot hold (beyond +-65504):
 * the node to keep in fp32 when the conversion would clamp them. Every stored float read counts, whether
 * an initializer or a Constant node's tensor.
 */
function weightsBeyondFp16(model: EngineModel): Map<number, number> {
  const perNode = new Map<number, number>();
  const seen = new Set<string>();
  const flat = flatNodes(model.ir);
  for (const read of model.problem.storedReads) {
    const index = flatIndex(flat, read.graph, read.node);
    const key = `${index}:${read.ownerGraph.id}:${read.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { clamped } = storedLoss(model, read.ownerGraph, read.name);
    if (clamped) perNode.set(index, (perNode.get(index) ?? 0) + clamped);
  }
  return perNode;
}

function summarize(model: EngineModel): ModelSummary {
  const { ir, problem } = model;
  const main = ir.main;
  const types = problem.types;
  const isFloatish = (name: string) => isFloatData(types.elemType(main, name));
  // Static nodes depend on no graph input's contents: weights, Constants, shapes and what is computed from
  // them alone (an Identity of an initializer, a Shape of an activation). They carry no activation, never
  // sit on a boundary a user would act on, and the graph view folds them away with pure int computations.
  const graphInputs = new Set((main.proto.input ?? []).map((v) => v.name ?? '').filter((n) => !main.initializers.has(n)));
  const staticNode = new Uint8Array(main.nodes.length);
  const isStatic = (name: string) => {
    if (!name) return true;
    const p = main.producer.get(name);
    if (p) return staticNode[p.node] === 1;
    return main.initializers.has(name) && !graphInputs.has(name);
  };
  const beyondFp16 = weightsBeyondFp16(model);
  const readers = readersAcrossScopes(ir);
  const nodes: NodeSummary[] = main.nodes.map((node, index) => {
    const floatTouch = [...(node.input ?? []), ...(node.output ?? [])].some((n) => n && isFloatish(n));
    if (node.opType === 'Shape' || node.opType === 'Size' || nodeReads(main, index).every(isStatic)) staticNode[index] = 1;
    return {
      index,
      name: node.name ?? '',
      graph: 0,
      path: node.name ?? '',
      opType: node.opType ?? '',
      domain: normalizeDomain(node.domain),
      inputs: node.input ?? [],
      outputs: node.output ?? [],
      attributes: describeAttributes(node),
      precision: 'none',
      foldable: staticNode[index] === 1 || !floatTouch,
      weightsBeyondFp16: beyondFp16.get(index) ?? 0,
    };
  });
  const values: ValueSummary[] = [];
  const seen = new Set<string>();
  const addValue = (name: string, producer: number) => {
    if (!name || seen.has(name)) return;
    seen.add(name);
    const init = main.initializers.get(name);
    // A Constant node's tensor is a weight like an initializer: its dims and size are known from it.
    const constant = producer >= 0 ? constantNodeTensor(main.nodes[producer]) : undefined;
    const stored = init ?? constant;
    values.push({
      name,
      elemType: types.elemType(main, name),
      shape: stored ? (stored.dims ?? []).map(toNumber) : shapeOf(main, name),
      producer,
      // Readers in this graph and inside bodies (a value an If's branch reads is drawn flowing into it).
      consumers: [...new Set([...(main.consumers.get(name) ?? []).map((c) => c.node), ...(readers.get(`0\u0000${name}`) ?? [])])],
      isInitializer: !!init,
      initializerBytes: init ? tensorBytes(init)?.byteLength ?? 0 : 0,
      ...(constant ? { constantBytes: storedByteLength(constant) } : {}),
    });
  };
  for (const vi of main.proto.input ?? []) addValue(vi.name ?? '', -1);
  for (const name of main.initializers.keys()) addValue(name, -1);
  main.nodes.forEach((node, i) => (node.output ?? []).forEach((o) => addValue(o, i)));
  const inBodies = summarizeBodies(ir, types, readers, describeAttributes);
  nodes.push(...inBodies.nodes.map((node) => ({ ...node, weightsBeyondFp16: beyondFp16.get(node.index) ?? 0 })));
  values.push(...inBodies.values.filter((v) => !seen.has(v.name)));

  const opStats = new Map<string, OpTypeStat>();
  for (const graph of ir.graphs) {
    for (const node of graph.nodes) {
      const domain = normalizeDomain(node.domain);
      const opType = node.opType ?? '';
      const key = `${domain}::${opType}`;
      let stat = opStats.get(key);
      if (!stat) {
        const opset = ir.opsets.get(domain) ?? 1;
        const fp16Kernel = Object.fromEntries(TARGET_EPS.map((ep) => [ep, kernels(ep, domain, opType, opset)])) as Record<TargetEp, boolean>;
        const bf16Kernel = Object.fromEntries(TARGET_EPS.map((ep) => [ep, kernels(ep, domain, opType, opset, 'bf16')])) as Record<TargetEp, boolean>;
        stat = { opType, domain, count: 0, fp16Kernel, bf16Kernel, float: false };
        opStats.set(key, stat);
      }
      stat.count++;
      if ([...(node.input ?? []), ...(node.output ?? [])].some((n) => n && types.elemType(graph, n) === DataType.FLOAT)) stat.float = true;
    }
  }
  const existingCasts = model.ortCounter.existingCasts;
  return {
    nodeCount: nodes.length,
    mainNodeCount: main.nodes.length,
    bodies: inBodies.bodies,
    opsets: Object.fromEntries(ir.opsets),
    irVersion: toNumber(model.proto.irVersion),
    producer: [model.proto.producerName, model.proto.producerVersion].filter(Boolean).join(' '),
    nodes,
    values,
    inputs: (main.proto.input ?? []).map((v) => v.name ?? '').filter((n) => !main.initializers.has(n)),
    outputs: main.outputs,
    opTypes: [...opStats.values()].sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType)),
    existingCasts,
    weightBytes: [...allStoredTensors(ir.graphs)].reduce((sum, entry) => sum + storedByteLength(entry.tensor), 0),
  };
}

/**
 * The fp16-simulated model for a recipe (fp32 graph with fp16 storage rounding), and optionally every
 * float value exposed as an output for per-node error. With `reference: true` nothing is rounded: the
 * fp32 model with the same exposed outputs, to compare against.
 */
export function simulateModel(
  model: EngineModel,
  recipeInput: Partial<Recipe> = {},
  options: { exposeIntermediates?: boolean; reference?: boolean } = {},
): { bytes: Uint8Array; exposed: string[]; clampedValues: number; raisedValues: number } {
  const { model: proto, ...rest } = simulateModelProto(model, recipeInput, options);
  return { bytes: encodeModel(proto), ...rest };
}

/**
 * simulateModel's model before encoding: what the preview hands its runner, which splits it into pieces
 * (encoding and decoding the whole model took about a second each on a 12k-node decoder).
 */
export function simulateModelProto(
  model: EngineModel,
  recipeInput: Partial<Recipe> = {},
  options: { exposeIntermediates?: boolean; reference?: boolean } = {},
): { model: ModelProto; exposed: string[]; clampedValues: number; raisedValues: number } {
  const recipe = normalizeRecipe({ ...DEFAULT_RECIPE, ...recipeInput });
  const outcome = options.reference
    ? { low: recipe.lowPrecision, groupFp16: new Uint8Array(model.problem.groups.length), groupReason: [], fp32Compute: new Uint8Array(model.problem.groups.length), fp32ComputeStrict: new Uint8Array(model.problem.groups.length), castValues: [], cost: 0, unboundDims: [] }
    : runPlan(model, recipe).outcome;
  const result = simulatePlan(model.problem, outcome, { exposeIntermediates: options.exposeIntermediates });
  return { model: result.model, exposed: result.exposed, clampedValues: result.stats.clamped, raisedValues: result.stats.raised };
}

/**
 * Whether a converted model is written with external data: when its original had some (a tensor of the
 * converted model is still external, or `convertedFromExternal` tensors were converted from external data:
 * StorageStats.fromExternal), or when its tensors would not fit protobuf's 2 GB. One walk of the converted
 * model, not one of it and one of the original (each ~10 ms cold on a 44k-node graph).
 */
function needsExternalData(converted: ModelProto, convertedFromExternal: number): boolean {
  if (convertedFromExternal > 0) return true;
  let total = 0;
  let external = false;
  visitTensors(converted, (t) => {
    if (t.dataLocation === EXTERNAL) external = true;
    total += tensorBytes(t)?.byteLength ?? 0;
  });
  return external || total > INLINE_LIMIT_BYTES;
}

/** Attribute values as short text for the details panel (tensors and graphs summarized, not dumped). */
function describeAttributes(node: NodeProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    if (a.t) out[name] = `tensor ${(a.t.dims ?? []).map(toNumber).join('x') || 'scalar'} (type ${a.t.dataType})`;
    else if (a.g) out[name] = `graph with ${a.g.node?.length ?? 0} nodes`;
    else if (a.graphs?.length) out[name] = `${a.graphs.length} graphs`;
    else if (a.floats?.length) out[name] = `[${a.floats.map((f) => +f.toPrecision(6)).join(', ')}]`;
    else if (a.ints?.length) out[name] = `[${a.ints.map(toNumber).join(', ')}]`;
    else if (a.strings?.length) out[name] = `[${a.strings.map((b) => new TextDecoder().decode(b)).join(', ')}]`;
    else if (a.s) out[name] = new TextDecoder().decode(a.s);
    else if (a.i !== undefined) out[name] = String(toNumber(a.i));
    else if (a.f !== undefined) out[name] = String(+a.f.toPrecision(6));
    else out[name] = '';
  }
  return out;
}
