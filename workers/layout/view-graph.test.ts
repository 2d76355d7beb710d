import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import type { GraphTopology } from '../layout-api';
import { decorate } from '../../src/ui/graph/decorate';
import { flowEdges } from '../../src/ui/graph/flow-elements';
import { frameMinWidth, layoutViewGraph } from './elk-layout';
import { ancestorsOf, buildScopeTree, scopePrefixes } from './scope-tree';
import { buildViewGraph, initialExpansion } from './view-graph';
import type { ModelSummary, PlanReport } from '../../src/core/index';
import { DEFAULT_RECIPE } from '../../src/core/index';

// input x -> /a/l0/MatMul -> /a/l0/Add -> /a/l1/MatMul -> /a/l1/Softmax -> /head/Gemm -> output y
// plus a folded Constant feeding /a/l0/Add.
const names = ['/a/l0/MatMul', '/a/l0/Constant', '/a/l0/Add', '/a/l1/MatMul', '/a/l1/Softmax', '/head/Gemm'];
const opTypes = ['MatMul', 'Constant', 'Add', 'MatMul', 'Softmax', 'Gemm'];
const chain: [number, number][] = [
  [0, 2],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
];
const topology: GraphTopology = {
  names,
  opTypes,
  foldable: Uint8Array.from([0, 1, 0, 0, 0, 0]),
  edgeFrom: Int32Array.from(chain.map(([from]) => from)),
  edgeTo: Int32Array.from(chain.map(([, to]) => to)),
  inputs: ['x'],
  inputConsumers: [[0]],
  outputs: ['y'],
  outputProducers: [5],
};

describe('scope tree', () => {
  it('splits names into scope prefixes', () => {
    expect(scopePrefixes('/e/layers.0/fc1/MatMul')).toEqual(['/e/', '/e/layers.0/', '/e/layers.0/fc1/']);
    expect(scopePrefixes('Identity_12')).toEqual([]);
  });

  it('folds single-child chains and counts nodes', () => {
    const tree = buildScopeTree(names);
    const ids = tree.scopes.map((scope) => scope.id);
    expect(ids).toEqual(['', '/a/', '/a/l0/', '/a/l1/', '/head/']);
    expect(tree.scopes[tree.byId.get('/a/')!].nodeCount).toBe(5);
    expect(ancestorsOf(tree, 3).map((scope) => tree.scopes[scope].id)).toEqual(['/a/', '/a/l1/']);
    // "/x/" holds only "/x/y/", so they read as one box "x/y".
    const chained = buildScopeTree(['/x/y/A', '/x/y/B', '/z/C']);
    expect(chained.scopes.map((scope) => [scope.id, scope.label])).toEqual([
      ['', ''],
      ['/x/y/', 'x/y'],
      ['/z/', 'z'],
    ]);
  });

  it('splits crowded flat scopes into chunks', () => {
    const flat = Array.from({ length: 600 }, (_, index) => `node_${index}`);
    const tree = buildScopeTree(flat);
    expect(tree.scopes.filter((scope) => scope.synthetic)).toHaveLength(5);
    expect(tree.scopes[tree.scopeOfNode[599]].id).toBe('#4');
  });
});

describe('view graph', () => {
  const tree = buildScopeTree(names);

  it('draws closed scopes as one box and merges their edges', () => {
    const view = buildViewGraph(topology, tree, new Set(), false);
    expect(view.units.map((unit) => unit.id)).toEqual(['in:x', 'g:/a/', 'g:/head/', 'out:y']);
    expect(view.edges.map((edge) => `${edge.source}>${edge.target}`)).toEqual(['g:/a/>g:/head/', 'in:x>g:/a/', 'g:/head/>out:y']);
    expect(view.unitOfNode[1]).toBe(-1); // the Constant is folded away
    expect(view.units[1].visibleNodeCount).toBe(4);
  });

  it('draws open scopes as frames around their boxes', () => {
    const view = buildViewGraph(topology, tree, new Set(['/a/', '/a/l1/']), false);
    const byId = new Map(view.units.map((unit) => [unit.id, unit]));
    expect(byId.get('c:/a/l1/')?.parentId).toBe('c:/a/');
    expect(byId.get('n:4')?.parentId).toBe('c:/a/l1/');
    expect(byId.get('g:/a/l0/')?.parentId).toBe('c:/a/');
    // Frames come before what they hold.
    const order = view.units.map((unit) => unit.id);
    expect(order.indexOf('c:/a/')).toBeLessThan(order.indexOf('c:/a/l1/'));
    expect(order.indexOf('c:/a/l1/')).toBeLessThan(order.indexOf('n:3'));
  });

  it('ignores a scope whose parent is closed', () => {
    const view = buildViewGraph(topology, tree, new Set(['/a/l1/']), false);
    expect(view.units.some((unit) => unit.id === 'c:/a/l1/')).toBe(false);
  });

  it('shows folded nodes on request', () => {
    const view = buildViewGraph(topology, tree, new Set(['/a/', '/a/l0/']), true);
    expect(view.units.some((unit) => unit.id === 'n:1')).toBe(true);
  });

  it('keeps data paths through folded nodes', () => {
    // ids -> /p/Reshape (folded, int64) -> /p/Gather -> out
    const bridged: GraphTopology = {
      names: ['/p/Reshape', '/p/Gather'],
      opTypes: ['Reshape', 'Gather'],
      foldable: Uint8Array.from([1, 0]),
      edgeFrom: Int32Array.from([0]),
      edgeTo: Int32Array.from([1]),
      inputs: ['ids'],
      inputConsumers: [[0]],
      outputs: ['out'],
      outputProducers: [1],
    };
    const view = buildViewGraph(bridged, buildScopeTree(bridged.names), new Set(['/p/']), false);
    expect(view.edges.map((edge) => `${edge.source}>${edge.target}`).sort()).toEqual(['in:ids>n:1', 'n:1>out:out']);
  });

  it('opens scopes level by level within a budget', () => {
    // Smallest first within a level: /head/ (one box) before /a/ (two).
    expect(initialExpansion(topology, tree, 100)).toEqual(['/head/', '/a/', '/a/l0/', '/a/l1/']);
    expect(initialExpansion(topology, tree, 4)).toEqual([]);
  });

  it('lays out with ELK, children relative to their frame', async () => {
    const view = buildViewGraph(topology, tree, new Set(['/a/', '/a/l1/']), false);
    const { units, height } = await layoutViewGraph(new ELK(), view);
    expect(height).toBeGreaterThan(0);
    const frame = units.find((unit) => unit.id === 'c:/a/l1/')!;
    const child = units.find((unit) => unit.id === 'n:4')!;
    expect(child.x + child.width).toBeLessThanOrEqual(frame.width);
    const input = units.find((unit) => unit.id === 'in:x')!;
    const output = units.find((unit) => unit.id === 'out:y')!;
    expect(output.y).toBeGreaterThan(input.y);
  });
});

describe('frames', () => {
  it('are wide enough for their title and buttons even around a single box', async () => {
    const long = ['/self_attn_layer_norm_with_a_long_name/ReduceMean', '/tail/Add'];
    const small: GraphTopology = {
      ...topology,
      names: long,
      opTypes: ['ReduceMean', 'Add'],
      foldable: new Uint8Array(2),
      edgeFrom: Int32Array.from([0]),
      edgeTo: Int32Array.from([1]),
      inputConsumers: [[0]],
      outputProducers: [1],
    };
    const view = buildViewGraph(small, buildScopeTree(long), new Set(['/self_attn_layer_norm_with_a_long_name/']), false);
    const { units } = await layoutViewGraph(new ELK(), view);
    const frame = units.find((unit) => unit.kind === 'container')!;
    expect(frame.label).toBe('self_attn_layer_norm_with_a_long_name');
    expect(frame.width).toBeGreaterThanOrEqual(frameMinWidth(frame.label, true));
    expect(frame.width).toBeGreaterThan(156 + 28 + 200);
  });
});

describe('decoration', () => {
  const tree = buildScopeTree(names);
  const summary = {
    nodes: names.map((name, index) => ({
      index,
      name,
      opType: opTypes[index],
      domain: '',
      inputs: [],
      outputs: [],
      precision: 'none',
      foldable: index === 1,
    })),
    inputs: ['x'],
    outputs: ['y'],
  } as unknown as ModelSummary;
  const plan = {
    nodePrecision: ['low', 'none', 'low', 'low', 'fp32', 'low'],
    boundaries: [
      { value: 'sm_in', to: 'fp32', producer: 3, consumers: [4], bytes: 4 },
      { value: 'sm_out', to: 'low', producer: 4, consumers: [5], bytes: 4 },
    ],
  } as unknown as PlanReport;

  it('puts boundaries on drawn edges or inside closed scopes', async () => {
    const view = buildViewGraph(topology, tree, new Set(), false);
    const layout = { ...view, ...(await layoutViewGraph(new ELK(), view)), layoutMillis: 0, generation: 1 };
    const decoration = decorate(layout, plan, summary, { ...DEFAULT_RECIPE, patterns: ['/head/'] });
    const group = layout.units.findIndex((unit) => unit.id === 'g:/a/');
    expect(decoration.units[group].mix).toEqual([3, 1, 0, 0]);
    expect(decoration.units[group].precision).toBe('mixed');
    expect(decoration.units[group].innerBoundaries).toBe(1);
    expect(decoration.edges.get('e:g:/a/>g:/head/')).toEqual({ toLow: 1, toFp32: 0 });
    const head = layout.units.findIndex((unit) => unit.id === 'g:/head/');
    expect(decoration.units[head].blocked).toBe(true);
    // The edge's label names the low side by the recipe's type.
    const label = (low: 'fp16' | 'bf16') =>
      flowEdges(layout, decorate(layout, plan, summary, { ...DEFAULT_RECIPE, lowPrecision: low })).find((edge) => edge.id === 'e:g:/a/>g:/head/')?.label;
    expect(label('fp16')).toBe('Cast →fp16');
    expect(label('bf16')).toBe('Cast →bf16');
  });
});
