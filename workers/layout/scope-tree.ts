// Name scopes as a tree: "/encoder/layers.3/attn/MatMul" lives in "/encoder/", "/encoder/layers.3/",
// "/encoder/layers.3/attn/". The view draws a closed scope as one box, so a 43,720-node model opens as a
// few hundred boxes. Plain TypeScript, no React: it runs in the layout worker and in unit tests.

import { BODY_CLOSE } from '../../src/core/index';
import { chunkTitle, type ChunkContent } from './chunk-title';

export interface Scope {
  /** The name prefix, e.g. "/encoder/layers.3/" ("" for the root); synthetic chunks add "#k". */
  id: string;
  label: string;
  parent: number;
  depth: number;
  children: number[];
  /** Node indices whose innermost scope this is. */
  leaves: number[];
  /** Nodes anywhere inside. */
  nodeCount: number;
  synthetic: boolean;
}

export interface ScopeTree {
  scopes: Scope[];
  /** Per node, its innermost scope. */
  scopeOfNode: Int32Array;
  byId: Map<string, number>;
}

export const ROOT = 0;

/** A scope with more direct nodes than this is split into synthetic chunks (flat, unscoped graphs). */
const CHUNK_THRESHOLD = 240;
const CHUNK_SIZE = 120;

/**
 * Runs of `leaves` (in graph order) holding `size` drawn nodes each; a short tail joins the last run. A
 * folded node (a paddle2onnx weight Constant, which that exporter puts long before its reader) goes with the
 * drawn node that reads it, so a chunk holds its own weights and no chunk is all Constants; a folded node
 * read by nothing drawn here goes with the next drawn node. A scope of mostly folded nodes is cut by position.
 */
function chunksOf(leaves: number[], size: number, foldable?: Uint8Array, readerOf?: Int32Array): number[][] {
  const drawn = leaves.filter((node) => !foldable?.[node]);
  // Mostly folded (gpt2's 5,362 unscoped Identity nodes of weights): cut by position, so that "show
  // folded" never opens a chunk onto more than `size` boxes.
  if (drawn.length * 4 < leaves.length) {
    const chunks: number[][] = [];
    for (let start = 0; start < leaves.length; start += size) chunks.push(leaves.slice(start, start + size));
    return chunks;
  }
  let count = Math.ceil(drawn.length / size);
  // A short tail joins the chunk before it rather than open as a box of its own with a handful of nodes.
  if (count > 1 && drawn.length - (count - 1) * size < size / 4) count--;
  const chunkOf = new Map<number, number>();
  drawn.forEach((node, k) => chunkOf.set(node, Math.min(Math.floor(k / size), count - 1)));
  const chunks: number[][] = Array.from({ length: count }, () => []);
  const pending: number[] = [];
  for (const node of leaves) {
    const chunk = chunkOf.get(node);
    if (chunk === undefined) {
      const reader = readerOf?.[node] ?? -1;
      const home = reader >= 0 ? chunkOf.get(reader) : undefined;
      if (home !== undefined) chunks[home].push(node);
      else pending.push(node);
      continue;
    }
    chunks[chunk].push(node, ...pending.splice(0));
  }
  chunks[count - 1].push(...pending);
  // Graph order inside each chunk, as the scope's own leaves are.
  for (const chunk of chunks) chunk.sort((a, b) => a - b);
  return chunks;
}

/**
 * For each folded node, a drawn node that reads it, directly or through other folded nodes (a Constant
 * feeding a Reshape's shape feeding a MatMul); -1 where none does. Nodes are in graph order, so one pass
 * from the last node back sees every reader before the node it reads.
 */
export function drawnReaders(nodeCount: number, foldable: Uint8Array, edgeFrom: Int32Array, edgeTo: Int32Array): Int32Array {
  const readerOf = new Int32Array(nodeCount).fill(-1);
  const readers: number[][] = Array.from({ length: nodeCount }, () => []);
  for (let k = 0; k < edgeFrom.length; k++) if (foldable[edgeFrom[k]]) readers[edgeFrom[k]].push(edgeTo[k]);
  for (let node = nodeCount - 1; node >= 0; node--) {
    if (!foldable[node]) continue;
    for (const reader of readers[node]) {
      const found = foldable[reader] ? readerOf[reader] : reader;
      if (found >= 0 && (readerOf[node] < 0 || found < readerOf[node])) readerOf[node] = found;
    }
  }
  return readerOf;
}

/** Scope prefixes of a node name: "/a/b/Op" gives ["/a/", "/a/b/"]; a name without '/' scopes gives []. */
export function scopePrefixes(name: string): string[] {
  if (!name.startsWith('/')) return [];
  const prefixes: string[] = [];
  let at = name.indexOf('/', 1);
  while (at > 0) {
    prefixes.push(name.slice(0, at + 1));
    at = name.indexOf('/', at + 1);
  }
  return prefixes;
}

/**
 * `content` (op types, fold flags, the drawn reader of each folded node) names the chunks of a crowded scope
 * by what they hold and sizes them by drawn nodes; without it they are titled by position.
 */
export function buildScopeTree(names: readonly string[], content?: Omit<ChunkContent, 'names'> & { readerOf?: Int32Array }): ScopeTree {
  interface Draft {
    id: string;
    parent: number;
    children: number[];
    leaves: number[];
  }
  const drafts: Draft[] = [{ id: '', parent: -1, children: [], leaves: [] }];
  const draftById = new Map<string, number>([['', ROOT]]);
  const innermost = new Int32Array(names.length);

  names.forEach((name, node) => {
    let parent = ROOT;
    for (const prefix of scopePrefixes(name)) {
      let index = draftById.get(prefix);
      if (index === undefined) {
        index = drafts.length;
        drafts.push({ id: prefix, parent, children: [], leaves: [] });
        draftById.set(prefix, index);
        drafts[parent].children.push(index);
      }
      parent = index;
    }
    innermost[node] = parent;
    drafts[parent].leaves.push(node);
  });

  // Rebuild, folding chains of scopes that hold nothing but one sub-scope ("/m/" -> "/m/transformer/") into
  // one box, and splitting crowded scopes into chunks so no box opens onto thousands of siblings.
  const scopes: Scope[] = [];
  const scopeOfNode = new Int32Array(names.length);
  const byId = new Map<string, number>();

  const add = (scope: Omit<Scope, 'nodeCount'>): number => {
    const index = scopes.length;
    scopes.push({ ...scope, nodeCount: 0 });
    byId.set(scope.id, index);
    if (scope.parent >= 0) scopes[scope.parent].children.push(index);
    return index;
  };

  const placeLeaves = (scope: number, leaves: number[]) => {
    if (leaves.length <= CHUNK_THRESHOLD) {
      for (const node of leaves) scopeOfNode[node] = scope;
      scopes[scope].leaves = leaves;
      return;
    }
    const parentId = scopes[scope].id;
    const chunks = chunksOf(leaves, CHUNK_SIZE, content?.foldable, content?.readerOf);
    for (let k = 0; k < chunks.length; k++) {
      const chunk = chunks[k];
      const label = content ? chunkTitle(chunk, leaves, { names, ...content }) : `nodes ${chunk[0]}–${chunk[chunk.length - 1]}`;
      const index = add({
        id: `${parentId}#${k}`,
        label,
        parent: scope,
        depth: scopes[scope].depth + 1,
        children: [],
        leaves: chunk,
        synthetic: true,
      });
      for (const node of chunk) scopeOfNode[node] = index;
    }
  };

  const visit = (draftIndex: number, parent: number, depth: number) => {
    let draft = drafts[draftIndex];
    const startId = draft.id;
    // A body scope keeps its id: the graph view opens and leaves bodies by it.
    while (draftIndex !== ROOT && !isBodyScopeStart(draft.id) && draft.leaves.length === 0 && draft.children.length === 1) {
      draftIndex = draft.children[0];
      draft = drafts[draftIndex];
    }
    const label = draftIndex === ROOT ? '' : labelFor(startId, draft.id, parent >= 0 ? scopes[parent].id : '');
    const index = add({ id: draft.id, label, parent, depth, children: [], leaves: [], synthetic: false });
    for (const child of draft.children) visit(child, index, depth + 1);
    placeLeaves(index, draft.leaves);
  };
  visit(ROOT, -1, 0);

  // Node counts bottom-up: children always come after their parent.
  for (let index = scopes.length - 1; index >= 0; index--) {
    const scope = scopes[index];
    scope.nodeCount += scope.leaves.length;
    if (scope.parent >= 0) scopes[scope.parent].nodeCount += scope.nodeCount;
  }
  return { scopes, scopeOfNode, byId };
}

/** Whether a scope id is exactly an If/Loop/Scan body (see core/flat-nodes.ts bodyScope). */
function isBodyScopeStart(id: string): boolean {
  return id.endsWith(`${BODY_CLOSE}/`);
}

/** "/m/" .. "/m/transformer/" under "" reads "m/transformer"; "/e/layers.0/" under "/e/" reads "layers.0". */
function labelFor(startId: string, endId: string, parentId: string): string {
  const from = startId.length > parentId.length && startId.startsWith(parentId) ? parentId.length : 0;
  const label = endId.slice(from).replace(/^\/+|\/+$/g, '');
  return label || endId;
}

/** Scopes from the outermost to the innermost that contain a node (the root excluded). */
export function ancestorsOf(tree: ScopeTree, node: number): number[] {
  const chain: number[] = [];
  for (let scope = tree.scopeOfNode[node]; scope !== ROOT && scope >= 0; scope = tree.scopes[scope].parent) {
    chain.push(scope);
  }
  return chain.reverse();
}
