import { describe, expect, it } from 'vitest';
import { buildScopeTree, drawnReaders } from './scope-tree';

/** paddle2onnx's naming: every node "p2o.<Op>.<n>", every weight in a Constant node before its reader. */
function paddleLike(blocks: { op: string; count: number }[]) {
  const names: string[] = [];
  const opTypes: string[] = [];
  const running = new Map<string, number>();
  const push = (op: string) => {
    const n = running.get(op) ?? 0;
    running.set(op, n + 1);
    names.push(`p2o.${op}.${n}`);
    opTypes.push(op);
  };
  for (const { op, count } of blocks) {
    for (let k = 0; k < count; k++) {
      push('Constant');
      push(op);
      if (op === 'Conv') push('HardSwish');
    }
  }
  const foldable = Uint8Array.from(opTypes, (op) => (op === 'Constant' ? 1 : 0));
  return { names, opTypes, foldable };
}

function chunkLabels(names: string[], opTypes: string[], foldable: Uint8Array): string[] {
  const tree = buildScopeTree(names, { opTypes, foldable });
  return tree.scopes.filter((scope) => scope.synthetic).map((scope) => scope.label);
}

describe('chunk titles', () => {
  it('name a paddle2onnx chunk by its main op with a running count, and the rare ops that mark it', () => {
    const { names, opTypes, foldable } = paddleLike([
      { op: 'Conv', count: 150 },
      { op: 'Resize', count: 2 },
      { op: 'Conv', count: 30 },
    ]);
    const labels = chunkLabels(names, opTypes, foldable);
    // 362 drawn nodes in chunks of 120 drawn nodes (not 120 nodes half of which are hidden Constants); the
    // last 2 join the third chunk.
    expect(labels).toEqual(['Conv 1–60', 'Conv 61–120', 'Conv 121–180 · Resize']);
    expect(labels.some((label) => label.startsWith('nodes '))).toBe(false);
  });

  it('name a chunk of a flat graph with scoped-looking names by the block its names share', () => {
    const names: string[] = [];
    for (let block = 0; block < 30; block++) {
      for (const op of ['Conv2D', 'BiasAdd', 'Relu', 'MaxPool']) names.push(`model/block_${block}/${op.toLowerCase()}/${op}`);
      for (let k = 0; k < 6; k++) names.push(`model/block_${block}/mix_${k}/Add`);
    }
    const opTypes = names.map((name) => name.split('/').pop()!);
    const labels = chunkLabels(names, opTypes, new Uint8Array(names.length));
    expect(labels[0]).toBe('model/block_0 … block_11');
    expect(labels[1]).toBe('model/block_12 … block_23');
  });

  it('file each weight Constant with its reader, even when the exporter put every Constant first', () => {
    // 300 Constants, then 300 Convs each reading one of them.
    const names = [...Array.from({ length: 300 }, (_, k) => `p2o.Constant.${k}`), ...Array.from({ length: 300 }, (_, k) => `p2o.Conv.${k}`)];
    const opTypes = names.map((name) => name.split('.')[1]);
    const foldable = Uint8Array.from(opTypes, (op) => (op === 'Constant' ? 1 : 0));
    const edgeFrom = Int32Array.from({ length: 300 }, (_, k) => k);
    const edgeTo = Int32Array.from({ length: 300 }, (_, k) => 300 + k);
    const readerOf = drawnReaders(names.length, foldable, edgeFrom, edgeTo);
    const tree = buildScopeTree(names, { opTypes, foldable, readerOf });
    const chunks = tree.scopes.filter((scope) => scope.synthetic);
    expect(chunks.map((scope) => scope.label)).toEqual(['Conv 1–120', 'Conv 121–240', 'Conv 241–300']);
    expect(chunks.map((scope) => scope.nodeCount)).toEqual([240, 240, 120]);
    expect(tree.scopeOfNode[0]).toBe(tree.scopeOfNode[300]);
  });

  it('cut a scope of folded nodes by position, 120 a chunk, and name those chunks by what they hold', () => {
    // gpt2's unscoped Identity nodes of weights: drawn only with "show folded", never 240 at once.
    const names = Array.from({ length: 300 }, (_, k) => `Identity_${k}`);
    const opTypes = names.map(() => 'Identity');
    const labels = chunkLabels(names, opTypes, new Uint8Array(300).fill(1));
    expect(labels).toEqual(['Identity 1–120', 'Identity 121–240', 'Identity 241–300']);
  });
});
