// The layout worker: keeps the model's topology and scope tree, and answers "draw these scopes open" with
// a laid-out view graph. ELK runs here so a layout of hundreds of boxes never stalls the page.

import * as Comlink from 'comlink';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutViewGraph } from './layout/elk-layout';
import { ancestorsOf, buildScopeTree, drawnReaders, type ScopeTree } from './layout/scope-tree';
import { buildViewGraph, initialExpansion, type ViewGraph } from './layout/view-graph';
import type { GraphTopology, LayoutWorkerApi } from './layout-api';
import { attempt } from './outcome';
import { WarmUp } from './layout/warm-up';
import { containerUnitId, edgeId, opUnitId } from './unit-ids';

// elk.bundled.js, loaded inside a worker, installs its own `self.onmessage` dispatcher (it assumes it *is*
// the ELK worker). It runs ELK in-thread through its fake worker either way; take the handler back so
// only comlink answers this worker's messages.
self.onmessage = null;

const elk = new ELK();
const warm = new WarmUp();
let topology: GraphTopology | null = null;
let tree: ScopeTree | null = null;
let generation = 0;

function loaded(): { topology: GraphTopology; tree: ScopeTree } {
  if (!topology || !tree) throw new Error('No graph loaded in the layout worker');
  return { topology, tree };
}

const api: LayoutWorkerApi = {
  async setTopology(next, initialUnitBudget, nextGeneration) {
    warm.stop();
    return attempt(() => {
      topology = next;
      generation = nextGeneration;
      const built = buildScopeTree(next.names, {
        opTypes: next.opTypes,
        foldable: next.foldable,
        readerOf: drawnReaders(next.names.length, next.foldable, next.edgeFrom, next.edgeTo),
      });
      tree = built;
      const maxDepth = built.scopes.reduce((depth, scope) => Math.max(depth, scope.depth), 0);
      return {
        scopeCount: built.scopes.length - 1,
        maxDepth,
        initialExpanded: initialExpansion(next, built, initialUnitBudget),
      };
    });
  },

  async layout(request) {
    warm.stop();
    const outcome = await attempt(async () => {
      const t0 = performance.now();
      const current = loaded();
      const view = buildViewGraph(current.topology, current.tree, new Set(request.expanded), request.showFolded);
      const { units, width, height, routes } = await layoutViewGraph(elk, view);
      return {
        units,
        edges: view.edges.map((edge) => {
          const points = routes.get(edge.id);
          return points ? { ...edge, points } : edge;
        }),
        unitOfNode: view.unitOfNode,
        unitOfInput: view.unitOfInput,
        unitOfOutput: view.unitOfOutput,
        width,
        height,
        layoutMillis: performance.now() - t0,
        generation,
      };
    });
    if (!outcome.ok) return outcome;
    const { unitOfNode, unitOfInput, unitOfOutput } = outcome.value;
    return Comlink.transfer(outcome, [unitOfNode.buffer as ArrayBuffer, unitOfInput.buffer as ArrayBuffer, unitOfOutput.buffer as ArrayBuffer]);
  },

  async revealPath(nodeIndex) {
    return attempt(() => {
      const current = loaded();
      return ancestorsOf(current.tree, nodeIndex).map((scope) => current.tree.scopes[scope].id);
    });
  },

  async descendantScopes(scopeId) {
    return attempt(() => {
      const current = loaded();
      const start = current.tree.byId.get(scopeId);
      if (start === undefined) return [];
      const ids: string[] = [];
      const stack = [start];
      while (stack.length) {
        const scope = stack.pop()!;
        ids.push(current.tree.scopes[scope].id);
        stack.push(...current.tree.scopes[scope].children);
      }
      return ids;
    });
  },

  async warmUp() {
    // A few rounds: V8 only optimizes ELK's hot code after it has run a while. They stop when a model
    // arrives (layout/warm-up.ts).
    return attempt(async () => (await warm.run(async () => void (await layoutViewGraph(elk, warmUpGraph())), 3)).millis);
  },
};

/** Three frames of forty chained boxes with a few skips: the shape of a small transformer view. */
function warmUpGraph(): ViewGraph {
  const units: ViewGraph['units'] = [];
  const edges: ViewGraph['edges'] = [];
  for (let frame = 0; frame < 3; frame++) {
    const container = containerUnitId(`${frame}`);
    units.push({ id: container, kind: 'container', label: `${frame}`, order: -1 });
    const box = (index: number) => opUnitId(frame * 40 + index);
    for (let index = 0; index < 40; index++) {
      const id = box(index);
      units.push({ id, kind: index % 7 ? 'op' : 'group', parentId: container, label: id, order: frame * 40 + index });
      const previous = index || frame ? opUnitId(frame * 40 + index - 1) : undefined;
      if (previous) edges.push({ id: edgeId(previous, id), source: previous, target: id, multiplicity: 1 });
      if (index >= 3 && index % 5 === 0) {
        const skip = box(index - 3);
        edges.push({ id: edgeId(skip, id), source: skip, target: id, multiplicity: 1 });
      }
    }
  }
  const none = new Int32Array(0);
  return { units, edges, unitOfNode: none, unitOfInput: none, unitOfOutput: none };
}

Comlink.expose(api);
