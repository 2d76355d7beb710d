// What is drawn for a given set of open scopes: closed scopes become one box each, open ones become frames
// around their contents, folded nodes disappear, and node-to-node edges merge into box-to-box edges.
// Plain TypeScript, no React: it runs in the layout worker.

import type { GraphTopology, ViewEdge, ViewUnit } from '../layout-api';
import { ROOT, type ScopeTree } from './scope-tree';
import { isBodyScope } from '../../src/core/index';
import { containerUnitId, edgeId, groupUnitId, inputUnitId, opUnitId, outputUnitId } from '../unit-ids';

/** A unit before layout: positions are filled in by ELK. */
export type UnplacedUnit = Omit<ViewUnit, 'x' | 'y' | 'width' | 'height'>;

export interface ViewGraph {
  units: UnplacedUnit[];
  edges: ViewEdge[];
  unitOfNode: Int32Array;
  unitOfInput: Int32Array;
  unitOfOutput: Int32Array;
}

export function buildViewGraph(
  topology: GraphTopology,
  tree: ScopeTree,
  expanded: ReadonlySet<string>,
  showFolded: boolean,
): ViewGraph {
  const { scopes } = tree;
  const nodeCount = topology.names.length;
  const open = new Uint8Array(scopes.length);
  open[ROOT] = 1;
  scopes.forEach((scope, index) => {
    if (expanded.has(scope.id)) open[index] = 1;
  });
  // A scope is drawn open only when all its ancestors are too.
  for (let index = 1; index < scopes.length; index++) {
    if (!open[scopes[index].parent]) open[index] = 0;
  }

  const units: UnplacedUnit[] = [];
  const unitOfScope = new Int32Array(scopes.length).fill(-1); // closed scope -> its group box
  const containerOfScope = new Int32Array(scopes.length).fill(-1); // open scope -> its frame
  const unitOfNode = new Int32Array(nodeCount).fill(-1);
  const visibleInScope = new Int32Array(scopes.length);
  const opCounts = new Map<number, Map<string, number>>();

  // Pass 1: which box shows each node (the outermost closed scope around it, or the node itself).
  const boxScope = new Int32Array(nodeCount).fill(-1);
  for (let node = 0; node < nodeCount; node++) {
    if (!showFolded && topology.foldable[node]) continue;
    let closed = -1;
    for (let scope = tree.scopeOfNode[node]; scope !== ROOT; scope = scopes[scope].parent) {
      if (!open[scope]) closed = scope;
    }
    boxScope[node] = closed;
    if (closed >= 0) visibleInScope[closed]++;
  }

  // Frames for open scopes that end up holding something, parents before children.
  const needsFrame = new Uint8Array(scopes.length);
  const markFrames = (scope: number) => {
    for (let s = scope; s !== ROOT && !needsFrame[s]; s = scopes[s].parent) needsFrame[s] = 1;
  };
  for (let node = 0; node < nodeCount; node++) {
    if (!showFolded && topology.foldable[node]) continue;
    const closed = boxScope[node];
    if (closed >= 0) {
      if (scopes[closed].parent !== ROOT) markFrames(scopes[closed].parent);
    } else if (tree.scopeOfNode[node] !== ROOT) {
      markFrames(tree.scopeOfNode[node]);
    }
  }
  const frameParent = (scope: number): string | undefined => {
    const parent = scopes[scope].parent;
    return parent === ROOT || parent < 0 ? undefined : units[containerOfScope[parent]]?.id;
  };
  for (let scope = 1; scope < scopes.length; scope++) {
    if (!needsFrame[scope] || !open[scope]) continue;
    containerOfScope[scope] = units.length;
    units.push({
      id: containerUnitId(scopes[scope].id),
      kind: 'container',
      parentId: frameParent(scope),
      label: scopes[scope].label,
      order: -1,
      scopeId: scopes[scope].id,
      synthetic: scopes[scope].synthetic,
      body: isBodyScope(scopes[scope].id),
      nodeCount: scopes[scope].nodeCount,
    });
  }

  // Inputs and outputs of the graph.
  const unitOfInput = new Int32Array(topology.inputs.length);
  topology.inputs.forEach((name, index) => {
    unitOfInput[index] = units.length;
    units.push({ id: inputUnitId(name), kind: 'input', label: name, order: -1 });
  });

  // Pass 2: group boxes and op boxes.
  for (let node = 0; node < nodeCount; node++) {
    if (!showFolded && topology.foldable[node]) continue;
    const closed = boxScope[node];
    if (closed >= 0) {
      if (unitOfScope[closed] < 0) {
        unitOfScope[closed] = units.length;
        const scope = scopes[closed];
        units.push({
          id: groupUnitId(scope.id),
          kind: 'group',
          parentId: frameParent(closed),
          label: scope.label,
          order: node,
          scopeId: scope.id,
          synthetic: scope.synthetic,
          body: isBodyScope(scope.id),
          nodeCount: scope.nodeCount,
          visibleNodeCount: visibleInScope[closed],
          castCount: 0,
        });
        opCounts.set(closed, new Map());
      }
      unitOfNode[node] = unitOfScope[closed];
      const counts = opCounts.get(closed)!;
      const opType = topology.opTypes[node];
      counts.set(opType, (counts.get(opType) ?? 0) + 1);
      if (opType === 'Cast') units[unitOfScope[closed]].castCount! += 1;
    } else {
      const scope = tree.scopeOfNode[node];
      unitOfNode[node] = units.length;
      units.push({
        id: opUnitId(node),
        kind: 'op',
        parentId: scope === ROOT ? undefined : units[containerOfScope[scope]]?.id,
        label: shortName(topology.names[node]) || topology.opTypes[node],
        order: node,
        nodeIndex: node,
        opType: topology.opTypes[node],
      });
    }
  }
  for (const [scope, counts] of opCounts) units[unitOfScope[scope]].opMix = describeOpMix(counts);

  const unitOfOutput = new Int32Array(topology.outputs.length);
  topology.outputs.forEach((name, index) => {
    unitOfOutput[index] = units.length;
    units.push({ id: outputUnitId(name), kind: 'output', label: name, order: nodeCount });
  });

  // Edges between boxes, merged.
  const edgeIndex = new Map<string, number>();
  const edges: ViewEdge[] = [];
  const link = (from: number, to: number) => {
    if (from < 0 || to < 0 || from === to) return;
    const key = `${from}>${to}`;
    const existing = edgeIndex.get(key);
    if (existing !== undefined) {
      edges[existing].multiplicity++;
      return;
    }
    edgeIndex.set(key, edges.length);
    edges.push({ id: edgeId(units[from].id, units[to].id), source: units[from].id, target: units[to].id, multiplicity: 1 });
  };
  // A folded node on a data path (int64 ids reshaped before an embedding Gather) must not cut the path:
  // edges run from whatever drawn boxes or graph inputs feed it, through it, to its readers.
  const sources = foldedSources(topology, unitOfNode, unitOfInput);
  const linkFrom = (producer: number, to: number) => {
    if (unitOfNode[producer] >= 0) link(unitOfNode[producer], to);
    else for (const from of sources(producer)) link(from, to);
  };
  for (let k = 0; k < topology.edgeFrom.length; k++) {
    const to = unitOfNode[topology.edgeTo[k]];
    if (to >= 0) linkFrom(topology.edgeFrom[k], to);
  }
  topology.inputConsumers.forEach((consumers, input) => {
    for (const node of consumers) link(unitOfInput[input], unitOfNode[node]);
  });
  topology.outputProducers.forEach((producer, output) => {
    if (producer >= 0) linkFrom(producer, unitOfOutput[output]);
  });

  return { units, edges, unitOfNode, unitOfInput, unitOfOutput };
}

/**
 * For a node that is not drawn: the drawn units (boxes or graph inputs) whose data reaches it through
 * undrawn nodes only. Weights and Constants feed nothing here, so a folded constant subgraph has none.
 */
function foldedSources(
  topology: GraphTopology,
  unitOfNode: Int32Array,
  unitOfInput: Int32Array,
): (node: number) => readonly number[] {
  const producers: number[][] = Array.from({ length: topology.names.length }, () => []);
  for (let k = 0; k < topology.edgeFrom.length; k++) {
    if (unitOfNode[topology.edgeTo[k]] < 0) producers[topology.edgeTo[k]].push(topology.edgeFrom[k]);
  }
  const inputsOf = new Map<number, number[]>();
  topology.inputConsumers.forEach((consumers, input) => {
    for (const node of consumers) {
      if (unitOfNode[node] >= 0) continue;
      const list = inputsOf.get(node) ?? [];
      list.push(unitOfInput[input]);
      inputsOf.set(node, list);
    }
  });
  const memo = new Map<number, readonly number[]>();
  const resolve = (start: number): readonly number[] => {
    const known = memo.get(start);
    if (known) return known;
    // Iterative walk up through undrawn producers (a recursion could be thousands deep).
    const found = new Set<number>();
    const seen = new Set<number>([start]);
    const stack = [start];
    while (stack.length) {
      const node = stack.pop()!;
      const cached = node !== start ? memo.get(node) : undefined;
      if (cached) {
        for (const unit of cached) found.add(unit);
        continue;
      }
      for (const unit of inputsOf.get(node) ?? []) found.add(unit);
      for (const producer of producers[node]) {
        if (unitOfNode[producer] >= 0) found.add(unitOfNode[producer]);
        else if (!seen.has(producer)) {
          seen.add(producer);
          stack.push(producer);
        }
      }
    }
    const result = [...found];
    memo.set(start, result);
    return result;
  };
  return resolve;
}

/** The last segment of a scoped name: "/e/layers.0/fc1/MatMul" -> "MatMul". */
function shortName(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

function describeOpMix(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([op, count]) => (count > 1 ? `${op}×${count}` : op))
    .join(' · ');
}

/**
 * Scopes to open first so the opening view shows a useful, bounded number of boxes: level by level, and
 * within a level the smallest scopes first, stopping after the first level that does not fit entirely (so
 * layers.0 and layers.1 open the same way rather than one going deeper than the other).
 */
export function initialExpansion(topology: GraphTopology, tree: ScopeTree, budget: number): string[] {
  const { scopes } = tree;
  const visible = new Int32Array(scopes.length); // visible (unfolded) nodes anywhere inside
  const directVisible = new Int32Array(scopes.length);
  for (let node = 0; node < topology.names.length; node++) {
    if (topology.foldable[node]) continue;
    directVisible[tree.scopeOfNode[node]]++;
  }
  for (let index = scopes.length - 1; index >= 0; index--) {
    visible[index] += directVisible[index];
    if (scopes[index].parent >= 0) visible[scopes[index].parent] += visible[index];
  }
  const visibleChildren = (scope: number) => scopes[scope].children.filter((child) => visible[child] > 0);
  // If/Loop/Scan bodies open when asked (the node's button, search), never on their own: the opening view
  // shows the graph's own flow with each body as one box beside its node.
  const openable = (scope: number) => visibleChildren(scope).filter((child) => !isBodyScope(scopes[child].id));
  const boxesWhenOpen = (scope: number) => directVisible[scope] + visibleChildren(scope).length;

  let boxes = topology.inputs.length + topology.outputs.length + boxesWhenOpen(ROOT);
  const expanded: string[] = [];
  let level = openable(ROOT);
  while (level.length) {
    const next: number[] = [];
    let all = true;
    const bySize = level
      .map((scope, order) => ({ scope, order, more: boxesWhenOpen(scope) }))
      .sort((a, b) => a.more - b.more || a.order - b.order);
    for (const { scope, more } of bySize) {
      // An open scope's box becomes a frame holding `more` boxes.
      if (boxes + more > budget) {
        all = false;
        continue;
      }
      boxes += more;
      expanded.push(scopes[scope].id);
      next.push(...openable(scope));
    }
    if (!all) break;
    level = next;
  }
  return expanded;
}
