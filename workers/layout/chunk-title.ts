// Titles for the chunks a flat scope is split into. "nodes 120–239" says where a chunk sits in the node
// list, which nobody looking at the graph knows; a person names a stretch of a network by what is in it:
// the block its names share ("model/block_3 … block_5") or, where names say nothing (paddle2onnx's
// "p2o.Mul.14", "Conv_12"), its main op with a running count ("Conv 10–21") and the rare ops that mark it
// ("· Resize"). Pure: runs in the layout worker and in unit tests.

/** Ops that carry a network's weights and compute: a chunk is named after these first. */
const HEAVY = ['Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'LSTM', 'GRU', 'RNN', 'Attention', 'MultiHeadAttention', 'Einsum', 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul'];
/** An op this rare in the whole scope marks where it appears (a Resize of an FPN neck, a Softmax head). */
const RARE = 6;
/** Titles longer than this do not fit a box; rare ops are dropped first. */
const MAX_TITLE = 22;

export interface ChunkContent {
  names: readonly string[];
  opTypes: readonly string[];
  /** Nodes not drawn by default (Constants, shape arithmetic): they do not name a chunk. */
  foldable?: Uint8Array;
}

function tokens(name: string): string[] {
  return name.split(/[/.:]+/).filter(Boolean);
}

function commonPrefix(lists: string[][]): string[] {
  if (!lists.length) return [];
  const prefix = [...lists[0]];
  for (const list of lists) {
    let k = 0;
    while (k < prefix.length && k < list.length && prefix[k] === list[k]) k++;
    prefix.length = k;
  }
  return prefix;
}

/**
 * The block the chunk's names share, when they have one the rest of the scope does not: their common
 * token prefix, else its first and last next tokens where those name a block (followed by more tokens,
 * not the op type itself): "model/block_3 … block_5".
 */
function nameTitle(chunk: number[], scopeNodes: number[], content: ChunkContent): string | undefined {
  const lists = chunk.map((node) => tokens(content.names[node]));
  const shared = commonPrefix(lists);
  const sharedByScope = (prefix: string[]) =>
    scopeNodes.filter((node) => {
      const list = tokens(content.names[node]);
      return prefix.every((token, k) => list[k] === token);
    }).length;
  // Whole names are node names, not blocks: only a prefix that leaves something after it counts.
  const block = shared.length && lists.every((list) => list.length > shared.length);
  if (block && sharedByScope(shared) < scopeNodes.length / 2) return shared.join('/');
  const depth = shared.length;
  const first = lists[0];
  const last = lists[lists.length - 1];
  const names = (list: string[], node: number) => list.length > depth + 1 && list[depth].toLowerCase() !== content.opTypes[node].toLowerCase();
  if (!names(first, chunk[0]) || !names(last, chunk[chunk.length - 1]) || first[depth] === last[depth]) return undefined;
  const lead = shared.length ? `${shared.join('/')}/` : '';
  return `${lead}${first[depth]} … ${last[depth]}`;
}

/** The chunk's main op with its running count in the scope, and the rare ops that mark the chunk. */
function opTitle(chunk: number[], scopeNodes: number[], content: ChunkContent): string {
  const inChunk = new Map<string, number>();
  for (const node of chunk) inChunk.set(content.opTypes[node], (inChunk.get(content.opTypes[node]) ?? 0) + 1);
  const inScope = new Map<string, number>();
  for (const node of scopeNodes) inScope.set(content.opTypes[node], (inScope.get(content.opTypes[node]) ?? 0) + 1);
  const byCount = [...inChunk].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const main = HEAVY.find((op) => inChunk.has(op)) ?? byCount[0][0];
  // The running number of the chunk's first and last `main` among the scope's, 1-based.
  const members = new Set(chunk);
  let seen = 0;
  let from = 0;
  let to = 0;
  for (const node of scopeNodes) {
    if (content.opTypes[node] !== main) continue;
    seen++;
    if (!members.has(node)) continue;
    from ||= seen;
    to = seen;
  }
  let title = from === to ? `${main} ${from}` : `${main} ${from}–${to}`;
  const rare = byCount.filter(([op]) => op !== main && (inScope.get(op) ?? 0) <= RARE).map(([op]) => op);
  for (const op of rare) {
    if (title.length + op.length + 3 > MAX_TITLE) break;
    title += ` · ${op}`;
  }
  return title;
}

/**
 * A chunk's title from what it holds. `chunk` and `scopeNodes` are node indices in graph order; only
 * drawn (not foldable) nodes count, unless the chunk holds folded nodes only (seen with "show folded"):
 * then it is named after those, among the scope's folded nodes ("Identity 121–240").
 */
export function chunkTitle(chunk: readonly number[], scopeNodes: readonly number[], content: ChunkContent): string {
  const drawn = (nodes: readonly number[]) => nodes.filter((node) => !content.foldable?.[node]);
  const folded = (nodes: readonly number[]) => nodes.filter((node) => content.foldable?.[node]);
  const shown = drawn(chunk);
  if (!shown.length) return nameTitle([...chunk], folded(scopeNodes), content) ?? opTitle([...chunk], folded(scopeNodes), content);
  const scope = drawn(scopeNodes);
  return nameTitle(shown, scope, content) ?? opTitle(shown, scope, content);
}
