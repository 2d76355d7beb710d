// The layout worker's RPC surface, declared once: workers/layout.worker.ts implements it and src/ui wraps
// it with comlink. The worker holds the model's topology and scope tree; the page asks it for the visible
// graph (collapsed scopes as single boxes) laid out by ELK, never for all nodes of a big model at once.
// Every call answers with an Outcome (workers/outcome.ts), as the other workers' calls do.
import type { Outcome } from './outcome';

/** The model's node graph reduced to what the view needs; built by the page from the ModelSummary. */
export interface GraphTopology {
  /** Per node (flat index: main graph, then If/Loop/Scan bodies), the scope path it is filed under. */
  names: string[];
  opTypes: string[];
  /** 1 where the node is a Constant, initializer-only or shape computation (folded away by default). */
  foldable: Uint8Array;
  /** Node-to-node data edges as parallel arrays (producer index, consumer index), one per distinct pair. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  inputs: string[];
  /** Per graph input, the nodes that read it. */
  inputConsumers: number[][];
  outputs: string[];
  /** Per graph output, the node that writes it (-1 for an input or initializer passed straight through). */
  outputProducers: number[];
}

export interface ScopeTreeInfo {
  scopeCount: number;
  maxDepth: number;
  /** Scopes to expand first so the opening view shows a useful, bounded number of boxes. */
  initialExpanded: string[];
}

export interface LayoutRequest {
  /** Scope ids (name prefixes such as "/encoder/layers.3/") drawn open; the rest are single boxes. */
  expanded: string[];
  /** Draw the Constants and shape-only nodes that are folded away by default. */
  showFolded: boolean;
}

export type ViewUnitKind = 'op' | 'group' | 'container' | 'input' | 'output';

export interface ViewUnit {
  id: string;
  kind: ViewUnitKind;
  /** The container (an open scope) this unit is drawn in. */
  parentId?: string;
  /** Position relative to the parent (or the canvas), and size, from ELK. */
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  /** Position in the model's (topological) node order: the first node drawn in the box. */
  order: number;
  /** 'op': the node's index in the main graph. */
  nodeIndex?: number;
  opType?: string;
  /** 'group' / 'container': the scope's id (a name prefix usable as a recipe pattern unless synthetic). */
  scopeId?: string;
  /** A chunk of a flat graph's nodes, not a name scope of the model. */
  synthetic?: boolean;
  /** An If/Loop/Scan body (or a scope inside one): not a name prefix a recipe pattern could use. */
  body?: boolean;
  /** 'group': nodes inside, all and those drawn when open. */
  nodeCount?: number;
  visibleNodeCount?: number;
  /** 'group': most frequent op types inside, e.g. "MatMul×4 · Add×3". */
  opMix?: string;
  /** 'group': existing Cast nodes inside. */
  castCount?: number;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  /** How many node-to-node edges this drawn edge stands for. */
  multiplicity: number;
  /**
   * ELK's route (x0, y0, x1, y1, ... in canvas coordinates), drawn instead of a curve between the boxes;
   * absent for the long edges left out of the layout on very big views.
   */
  points?: number[];
}

export interface LayoutResult {
  /** Containers come before their children, as @xyflow/react requires. */
  units: ViewUnit[];
  edges: ViewEdge[];
  /** Per main-graph node: index into `units` of the box that shows it, or -1 when folded away. */
  unitOfNode: Int32Array;
  /** Per graph input / output: index into `units`. */
  unitOfInput: Int32Array;
  unitOfOutput: Int32Array;
  width: number;
  height: number;
  layoutMillis: number;
  /** The generation (page's open sequence number) of the topology this was laid out from. */
  generation: number;
}

export interface LayoutWorkerApi {
  /** `generation` tags every later layout, so the page can drop one made for a model it no longer shows. */
  setTopology(topology: GraphTopology, initialUnitBudget: number, generation: number): Promise<Outcome<ScopeTreeInfo>>;
  layout(request: LayoutRequest): Promise<Outcome<LayoutResult>>;
  /** Scope ids that must be open for a node to be drawn as itself. */
  revealPath(nodeIndex: number): Promise<Outcome<string[]>>;
  /** Every open scope at or under a scope id, for "collapse". */
  descendantScopes(scopeId: string): Promise<Outcome<string[]>>;
  /**
   * Lays out a small made-up graph a few times so ELK's code is compiled before the first real model arrives;
   * gives way (no further round) once a model does. Answers the milliseconds spent.
   */
  warmUp(): Promise<Outcome<number>>;
}
