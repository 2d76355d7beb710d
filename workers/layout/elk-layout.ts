// The view graph as an ELK layered graph (frames for open scopes as compound nodes), and ELK's positions
// read back onto the units. Takes the ELK instance as an argument so it stays free of worker plumbing.

import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { ViewUnit, ViewUnitKind } from '../layout-api';
import type { ViewGraph } from './view-graph';

const BOX_SIZE: Record<Exclude<ViewUnitKind, 'container'>, { width: number; height: number }> = {
  op: { width: 156, height: 38 },
  group: { width: 210, height: 62 },
  input: { width: 150, height: 30 },
  output: { width: 150, height: 30 },
};

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '22',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.edgeRouting': 'POLYLINE',
  // Edge routes in canvas coordinates (not relative to each edge's frame), drawn as they are.
  'elk.json.edgeCoords': 'ROOT',
};

const FRAME_OPTIONS = {
  'elk.padding': '[top=34,left=14,bottom=14,right=14]',
};

/**
 * Least width of an open scope's frame that shows its whole title beside its buttons ("keep fp32", "−"):
 * ELK sizes a frame by its contents, and a frame around one box cut "embeddings" to "embe…". Bold 12px
 * sans: up to ~8.1 px a character for identifiers (measured in Chromium), plus the buttons (~99 px), gaps and padding.
 */
export function frameMinWidth(label: string, hasScopeRule: boolean): number {
  return Math.ceil(8.6 * label.length + (hasScopeRule ? 136 : 56));
}

/**
 * Width of a closed scope's box: 210 unless its title ("encoder_attn_layer_norm") and node count need
 * more (the same ~8.6 px a character as frames), up to 420, past which the title ends in an ellipsis.
 */
function groupWidth(label: string, nodeCount: number): number {
  const needed = Math.ceil(8.6 * label.length + 7.5 * String(nodeCount).length + 44);
  return Math.min(420, Math.max(BOX_SIZE.group.width, needed));
}

/** Width of a graph input/output pill that shows its whole name (mono 11px: ~6.7 px a character, plus its arrow and padding). */
function ioWidth(label: string): number {
  return Math.max(BOX_SIZE.input.width, Math.ceil(44 + 7 * label.length));
}

export interface LaidOutView {
  units: ViewUnit[];
  width: number;
  height: number;
  /** ELK's route per laid-out edge id: x0, y0, x1, y1, ... in canvas coordinates, start to end. */
  routes: Map<string, number[]>;
}

export async function layoutViewGraph(elk: ELK, view: ViewGraph): Promise<LaidOutView> {
  const elkNodes = new Map<string, ElkNode>();
  const root: ElkNode = { id: '__root', layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const parentOf = new Map<string, string | undefined>();

  for (const unit of view.units) {
    const node: ElkNode =
      unit.kind === 'container'
        ? { id: unit.id, layoutOptions: { ...FRAME_OPTIONS }, children: [], edges: [] }
        : unit.kind === 'input' || unit.kind === 'output'
          ? { id: unit.id, width: ioWidth(unit.label), height: BOX_SIZE[unit.kind].height }
          : unit.kind === 'group'
            ? { id: unit.id, width: groupWidth(unit.label, unit.nodeCount ?? 0), height: BOX_SIZE.group.height }
            : { id: unit.id, ...BOX_SIZE[unit.kind] };
    elkNodes.set(unit.id, node);
    parentOf.set(unit.id, unit.parentId);
    const parent = unit.parentId ? elkNodes.get(unit.parentId) : root;
    (parent ?? root).children!.push(node);
  }

  // ELK wants each edge in the lowest frame that holds both ends.
  const chain = (id: string): string[] => {
    const ids: string[] = [];
    for (let at = parentOf.get(id); at; at = parentOf.get(at)) ids.push(at);
    return ids;
  };
  for (const edge of edgesForLayout(view)) {
    const sourceChain = chain(edge.source);
    const targetSet = new Set(chain(edge.target));
    // A frame cannot be the container of an edge that touches the frame itself.
    const common = sourceChain.find((id) => targetSet.has(id) && id !== edge.source && id !== edge.target);
    const container = common ? elkNodes.get(common)! : root;
    const elkEdge: ElkExtendedEdge = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    container.edges!.push(elkEdge);
  }

  let laidOut = await elk.layout(root);
  // ELK ignores a frame's minimum size when it lays out through the hierarchy (INCLUDE_CHILDREN): a frame
  // too narrow for its title gets the difference as side padding, and the view is laid out once more.
  const widths = frameWidths(laidOut);
  let widened = false;
  for (const unit of view.units) {
    if (unit.kind !== 'container') continue;
    const missing = frameMinWidth(unit.label, !unit.synthetic && !unit.body) - (widths.get(unit.id) ?? 0);
    if (missing <= 0) continue;
    const side = 14 + Math.ceil(missing / 2);
    elkNodes.get(unit.id)!.layoutOptions = { 'elk.padding': `[top=34,left=${side},bottom=14,right=${side}]` };
    widened = true;
  }
  if (widened) laidOut = await elk.layout(root);
  const placed = new Map<string, ElkNode>();
  const routes = new Map<string, number[]>();
  const collect = (node: ElkNode) => {
    for (const edge of node.edges ?? []) {
      const section = edge.sections?.[0];
      if (!section || edge.sections!.length > 1) continue; // one source, one target: one section
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      routes.set(edge.id, points.flatMap((point) => [point.x, point.y]));
    }
    for (const child of node.children ?? []) {
      placed.set(child.id, child);
      collect(child);
    }
  };
  collect(laidOut);

  const units = view.units.map((unit): ViewUnit => {
    const box = placed.get(unit.id);
    return { ...unit, x: box?.x ?? 0, y: box?.y ?? 0, width: box?.width ?? 0, height: box?.height ?? 0 };
  });
  return { units, width: laidOut.width ?? 0, height: laidOut.height ?? 0, routes };
}

function frameWidths(graph: ElkNode, widths = new Map<string, number>()): Map<string, number> {
  for (const child of graph.children ?? []) {
    if (child.children?.length) {
      widths.set(child.id, child.width ?? 0);
      frameWidths(child, widths);
    }
  }
  return widths;
}

/** Above this many layers crossed by edges in total, long edges are left out of the layout. */
const DUMMY_LIMIT = 1500;

/**
 * The edges ELK lays out. ELK routes an edge across k layers through k dummy nodes, so a value read by every
 * one of 200 layers (an attention mask) costs tens of thousands of dummies and minutes of layout. When
 * the dummies would pass DUMMY_LIMIT, ELK gets the backbone only: each box's latest producer and each
 * producer's first reader. Every edge is still drawn; the long ones just do not shape the layout.
 */
function edgesForLayout(view: ViewGraph): ViewGraph['edges'] {
  const order = new Map(view.units.map((unit) => [unit.id, unit.order]));
  const orderOf = (id: string) => order.get(id) ?? 0;
  const incoming = new Map<string, string[]>();
  for (const edge of view.edges) {
    if (orderOf(edge.source) >= orderOf(edge.target)) continue;
    const list = incoming.get(edge.target) ?? [];
    list.push(edge.source);
    incoming.set(edge.target, list);
  }
  const rank = new Map<string, number>();
  const byOrder = view.units.filter((unit) => unit.kind !== 'container').sort((a, b) => a.order - b.order);
  for (const unit of byOrder) {
    let best = 0;
    for (const source of incoming.get(unit.id) ?? []) best = Math.max(best, (rank.get(source) ?? 0) + 1);
    rank.set(unit.id, best);
  }
  let dummies = 0;
  for (const [target, sources] of incoming) {
    for (const source of sources) dummies += Math.max(0, (rank.get(target) ?? 0) - (rank.get(source) ?? 0) - 1);
  }
  if (dummies <= DUMMY_LIMIT) return view.edges;

  const latestProducer = new Map<string, string>();
  const firstReader = new Map<string, string>();
  for (const edge of view.edges) {
    const producer = latestProducer.get(edge.target);
    if (producer === undefined || orderOf(edge.source) > orderOf(producer)) latestProducer.set(edge.target, edge.source);
    const reader = firstReader.get(edge.source);
    if (reader === undefined || orderOf(edge.target) < orderOf(reader)) firstReader.set(edge.source, edge.target);
  }
  return view.edges.filter(
    (edge) => latestProducer.get(edge.target) === edge.source || firstReader.get(edge.source) === edge.target,
  );
}
